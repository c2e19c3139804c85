"""Plain torch networks (``nn.Module``), one per file; nothing here knows about training.

Every EEG network takes ``(batch, n_chans, n_times)`` and returns logits ``(batch, n_outputs)``;
DCRNN takes FFT clips ``(batch, n_steps, n_nodes, n_bins)``. The nerve-signal networks live in
:mod:`skseizure.eng`.
"""

from .channel_pooled import ChannelPooledCNN
from .cnn_bilstm import CNNBiLSTM
from .dcrnn import DCGRUCell, DCRNN, DCRNNEncoder, DCRNNSeq2Seq, DiffusionGraphConv
from .dcrnn_checkpoints import ReleasedCheckpointError, load_released_dcrnn, released_state_dict
from .light_cnn import LightCNN1d
from .light_seizure_net import LightSeizureNet

__all__ = [
    "LightCNN1d",
    "ChannelPooledCNN",
    "LightSeizureNet",
    "CNNBiLSTM",
    "DCRNN",
    "DCRNNEncoder",
    "DCRNNSeq2Seq",
    "DCGRUCell",
    "DiffusionGraphConv",
    "load_released_dcrnn",
    "released_state_dict",
    "ReleasedCheckpointError",
]
