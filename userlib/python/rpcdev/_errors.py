# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The exception the device's answers raise (imported by the C module)."""

__all__ = ["DeviceError"]


class DeviceError(Exception):
    """The device answered a call with an error.

    Either the method raised: ``name`` and ``message`` are its exception's,
    as the device sent them (a host handler's exception that the device
    re-raised comes back with the handler's class name and message). Or
    the call got another status than ``STATUS_OK``: ``name`` is then the
    status' name (``"NO_METHOD"``, ``"BAD_REQUEST"``, ``"NO_SERVER"``).

    Attributes: ``name`` (str), ``message`` (str), ``status`` (int, a
    ``STATUS_*`` value).
    """

    __module__ = "rpcdev"

    def __init__(self, name, message="", status=1):
        super().__init__(name, message, status)
        self.name = name
        self.message = message
        self.status = status

    def __str__(self):
        return f"{self.name}: {self.message}" if self.message else self.name
