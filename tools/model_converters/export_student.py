# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint for the library it was built
from (MMCls, MMPretrain or MMSeg).

    python tools/model_converters/export_student.py CONFIG DFAD_CKPT OUT.pth
    python tools/model_converters/export_student.py CONFIG WORK_DIR OUT.pth \
        --best

Writes ``OUT.pth`` and ``OUT.py`` (the student's config with the test data,
in the library's scope), so the student runs without the teacher, the
generator or this package's algorithm, and prints which config it wrote:

- a stock config, of the library's own modules only, where the library has
  the architecture (e.g. MMCls's CIFAR ResNets): ``mmcls.apis.init_model(
  'OUT.py', 'OUT.pth')`` works without ``mmrazor_dfad``;
- a source config where it has not (LeNet-5-half: MMCls's ``LeNet5`` has
  fixed widths, Tanh and average pooling): the module's code is written
  beside the checkpoint as ``OUT_modules.py`` and the config imports it, so
  the same call works without ``mmrazor_dfad`` with that folder on
  ``PYTHONPATH`` (checked in a fresh process at export);
- a ``custom_imports=dict(imports=['mmrazor_dfad'])`` config where that
  module needs more of this package: the same call works wherever
  ``mmrazor_dfad`` is installed.

Relative test data paths become absolute when they exist from the folder
the tool runs in; otherwise it names the ``--cfg-options`` key to set.

MMSeg students on mmcv-lite: MMSeg's API needs ``mmcv._ext`` (compiled ops
that mmcv-lite lacks) unless ``mmrazor_dfad`` is imported first, whose
compat layer stands in for them (full mmcv lifts this)::

    import mmrazor_dfad  # noqa: F401  (mmcv-lite: stands in for mmcv._ext)
    from mmseg.apis import inference_model, init_model
    model = init_model('OUT.py', 'OUT.pth', 'cpu')

Testing the student alone::

    python tools/test.py OUT.py OUT.pth   # or the library's tools/test.py

``--best`` exports the checkpoint the training kept with
``CheckpointHook(save_best=...)`` (e.g. by a label-free score) and says which
score selected it; the exported meta records it too.
"""
from mmrazor_dfad.apis.export import main

if __name__ == '__main__':
    main()
