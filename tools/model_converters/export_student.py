# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint as a plain MMCls, MMPretrain or
MMSeg checkpoint (the library the student was built from).

    python tools/model_converters/export_student.py CONFIG DFAD_CKPT OUT.pth
    python tools/model_converters/export_student.py CONFIG WORK_DIR OUT.pth \
        --best

Writes ``OUT.pth`` and ``OUT.py`` (the student's config with the test data),
so the student runs without the teacher, the generator or this package's
algorithm::

    python tools/test.py OUT.py OUT.pth   # or MMCls's tools/test.py

``--best`` exports the checkpoint the training kept with
``CheckpointHook(save_best=...)`` (e.g. by a label-free score) and says which
score selected it; the exported meta records it too.
"""
from mmrazor_dfad.apis.export import main

if __name__ == '__main__':
    main()
