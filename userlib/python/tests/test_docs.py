# SPDX-License-Identifier: GPL-2.0
"""Documentation: every public name has a docstring, help(rpcdev) reads."""

import inspect
import pydoc
import unittest

import rpcdev
import rpcdev.sim


def public(obj):
    return [n for n in dir(obj) if not n.startswith("_")]


class DocsTest(unittest.TestCase):

    def test_every_public_name_has_a_docstring(self):
        missing = []
        for mod in (rpcdev, rpcdev.sim):
            for name in mod.__all__:
                obj = getattr(mod, name)
                if isinstance(obj, int):
                    continue    # constants: named as in the C headers
                if not inspect.getdoc(obj):
                    missing.append(f"{mod.__name__}.{name}")
                if inspect.isclass(obj):
                    for attr in public(obj):
                        if attr in ("count", "index", "args",
                                    "with_traceback", "add_note",
                                    "n_fields", "n_sequence_fields",
                                    "n_unnamed_fields"):
                            continue    # inherited from tuple, Exception
                        if not inspect.getdoc(getattr(obj, attr)):
                            missing.append(f"{mod.__name__}.{name}.{attr}")
        self.assertEqual(missing, [])

    def test_help_shows_the_objects_and_their_methods(self):
        text = pydoc.render_doc(rpcdev, renderer=pydoc.plaintext)
        for word in ("class Queue", "call(self, /, method, data=b''", "serve(self, /, handlers",
                     "serve_async", "call_async", "messages", "class Device",
                     "info(self, /)", "class DeviceError", "in_place", "store(self, /, slot"):
            self.assertTrue(word in text, f"{word!r} is not in help(rpcdev)")

    def test_module_docstring_has_an_example(self):
        self.assertIn("rpcdev.Queue(", rpcdev.__doc__)


if __name__ == "__main__":
    unittest.main()
