# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Plot DFAD's losses and the student's accuracy against iterations.

    python tools/analysis_tools/plot_curves.py WORK_DIR [--out curves.png]

Reads ``<WORK_DIR>/<timestamp>/vis_data/scalars.json`` (resumed runs
included); writes ``WORK_DIR/curves.png`` by default.
"""
from mmrazor_dfad.visualization import training_curves

if __name__ == '__main__':
    training_curves.main()
