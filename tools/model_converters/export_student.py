# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint as a plain MMCls checkpoint.

    python tools/model_converters/export_student.py CONFIG DFAD_CKPT OUT.pth

Writes ``OUT.pth`` and ``OUT.py`` (the student's config with the test data),
so the student runs without the teacher, the generator or this package's
algorithm::

    python tools/test.py OUT.py OUT.pth   # or MMCls's tools/test.py
"""
from mmrazor_dfad.apis.export import main

if __name__ == '__main__':
    main()
