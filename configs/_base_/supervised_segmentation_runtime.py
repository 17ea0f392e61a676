# The runtime of segmentors trained with labels (the benchmarks' teachers
# and the student trained with labels): MMSeg's own, logging every 50
# iterations by iteration, and SafeCheckpointHook (MMEngine's CheckpointHook
# whose old checkpoints are removed only once the new one is complete, each
# written atomically), keeping the newest checkpoint. Configs set its
# interval and, where they select one, `save_best`.
_base_ = ['mmseg::_base_/default_runtime.py']
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(
        _scope_='mmrazor_dfad',
        type='SafeCheckpointHook',
        by_epoch=False,
        max_keep_ckpts=1,
        backend_args=dict(backend='atomic_local')))
randomness = dict(seed=0)
