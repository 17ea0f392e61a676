# Copyright (c) mmrazor_dfad contributors. All rights reserved.
from .classification_task import ClassificationTask

__all__ = ['ClassificationTask']
