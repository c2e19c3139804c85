"""skseizure: scikit-learn-compatible seizure detection from EEG and ENG classification.

Sub-packages follow the data flow
``datasets -> preprocessing -> estimators (models) -> pruning -> metrics / interpret``.
"""

__version__ = "0.1.0.dev0"

__all__ = [
    "datasets",
    "preprocessing",
    "models",
    "estimators",
    "pruning",
    "metrics",
    "interpret",
]
