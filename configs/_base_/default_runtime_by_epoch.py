# The shared runtime for epoch-based (supervised) training: logs and
# checkpoints count epochs.
_base_ = ['./default_runtime.py']

default_hooks = dict(
    logger=dict(interval=100, log_metric_by_epoch=True),
    checkpoint=dict(by_epoch=True, interval=5, max_keep_ckpts=1))
log_processor = dict(by_epoch=True)
