"""A SIMULATOR of multi-contact nerve-cuff (ENG) recordings, after the system model of
MobilESCAPE-Net (Gokdag et al., arXiv 2505.06241, section II).

The real recordings the paper used (rat sciatic nerve, Koh et al. 2019, doi
10.5683/SP3/JRZDDR) are not shipped. This module generates **synthetic**
signals with the same layout (N rings x M electrodes, 30 kHz, one stimulus
class per recording, stimuli at 70 BPM lasting about 0.64 s) so that the
signature builder and the networks can be tested, demonstrated and
benchmarked. Nothing produced here is real data, and results obtained on it
must never be reported as results on real nerve recordings.

Model (paper eq. 1-2)::

    y_l(t) = sum_k h_lk * s_k(t - tau_lk) + v_l(t) + u(t)
    h_lk   = -1 / (4 pi sigma ||q_l - q_k||^2)
    tau_lk = (z_l - z_k) / c_k            (conduction along the nerve axis z)

- ``s_k``: trains of triphasic CAP waveforms (Ricker wavelet, i.e. the
  negative second derivative of a Gaussian) fired by source ``k``.
- Sources sit inside the nerve, grouped in three fascicles (one per stimulus
  class) plus a few "shared" sources firing spontaneously in every class.
  The stimulus of a recording makes its own fascicle fire (Poisson, rate
  modulated by a half-sine over each stimulus-on period), plus a small
  ``cross_talk`` share from the other fascicles, and small asynchronous unit
  potentials that raise the on-period power without forming CAPs.
- ``v_l``: interference correlated across neighbouring electrodes: EMG from a
  few muscle sources outside the cuff (band 20-800 Hz, seen through the same
  lead field, so it is smooth over the cuff) plus electrode artefacts (white
  noise smoothed over neighbouring contacts, flat up to Nyquist).
- ``u``: white Gaussian noise common to all electrodes.
- Each "animal" (``animal`` seed) has its own cuff rotation, fascicle
  positions, conduction velocities and CAP widths; ``random_state`` seeds the
  firing and the noise.

Memory: the signal is ``n_electrodes x n_times`` float32, i.e. 56 x 30,000 x
4 B = 6.7 MB per second (400 MB for 60 s), plus a transient ``n_sources x
n_times`` float64 buffer (3.4 MB per second with 14 sources). Simulate several short recordings
(10-30 s) rather than one long one; noise is generated in ``chunk_s`` blocks so
that no other full-size array is allocated.
"""


from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from .._utils.random import seed_from_random_state
from .._utils.validation import check_sfreq
from ._cuff_model import (
    STIMULUS_CLASSES,
    add_noise,
    build_anatomy,
    check_positive_int,
    expected_powers,
    firing_events,
    lead_field_and_delays,
    neural_signal,
    noise_gain,
    noise_model,
    stimulus_intervals,
)

__all__ = ["STIMULUS_CLASSES", "NerveCuffRecording", "simulate_nerve_cuff", "cuff_electrode_positions"]


@dataclass
class NerveCuffRecording:
    """One SIMULATED (or user-supplied) nerve-cuff recording of one stimulus class.

    Parameters
    ----------
    data : ndarray of shape (n_electrodes, n_times), float32
        Signal in **volts** (multiply by 1e6 for µV). Row ``r * M + m`` is
        electrode ``m`` of ring ``r`` (ring-major order).
    sfreq : float
        Sampling frequency in Hz.
    n_rings : int
        Number of rings ``N`` along the cuff.
    n_electrodes_per_ring : int
        Contacts per ring ``M``.
    electrode_positions : ndarray of shape (n_electrodes, 3)
        Contact positions in metres (x, y in the cross-section, z along the nerve).
    stimulus_intervals : ndarray of shape (n_stimuli, 2)
        Stimulus-on periods ``(start_s, end_s)`` in seconds.
    label : int
        Class index into :data:`STIMULUS_CLASSES` (-1 if unknown).
    stimulus : str
        Class name.
    cap_times : ndarray of shape (n_caps,)
        Ground-truth times (s) at which each simulated CAP's main phase crosses
        the middle ring (evoked and spontaneous, sorted).
    cap_sources : ndarray of shape (n_caps,)
        Index of the source that fired each CAP.
    cap_evoked : ndarray of shape (n_caps,), bool
        True for CAPs evoked by the stimulus (including ``cross_talk`` CAPs of
        the other fascicles), False for spontaneous firing.
    source_positions : ndarray of shape (n_sources, 3)
        Source positions in metres.
    source_velocities : ndarray of shape (n_sources,)
        Conduction velocities in m/s.
    snr_db : float or None
        The on/off SNR (paper Table I definition, see
        :func:`skseizure.eng.cap_snr`) the simulator was asked for;
        None for a noiseless recording.
    subject : str
        Animal id (``"sim-animal-<k>"``), the ``groups`` value.
    simulated : bool
        True: the recording comes from this simulator, not from a nerve.
    """

    data: np.ndarray
    sfreq: float
    n_rings: int
    n_electrodes_per_ring: int
    electrode_positions: np.ndarray
    stimulus_intervals: np.ndarray
    label: int
    stimulus: str
    cap_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cap_sources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    cap_evoked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    source_positions: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    source_velocities: np.ndarray = field(default_factory=lambda: np.zeros(0))
    snr_db: float | None = None
    subject: str = "sim-animal-0"
    simulated: bool = True

    @property
    def n_electrodes(self):
        """``n_rings * n_electrodes_per_ring``."""
        return self.n_rings * self.n_electrodes_per_ring

    @property
    def n_times(self):
        """Number of samples."""
        return self.data.shape[1]

    @property
    def duration(self):
        """Length in seconds."""
        return self.data.shape[1] / float(self.sfreq)

    @property
    def ch_names(self):
        """Channel names ``"R<ring>E<electrode>"`` in row order."""
        return [
            f"R{r}E{m}" for r in range(self.n_rings) for m in range(self.n_electrodes_per_ring)
        ]

    def __repr__(self):
        kind = "SIMULATED " if self.simulated else ""
        snr = "noiseless" if self.snr_db is None else f"snr_db={self.snr_db:.2f}"
        return (
            f"NerveCuffRecording({kind}{self.stimulus!r}, subject={self.subject!r}, "
            f"{self.n_rings}x{self.n_electrodes_per_ring} electrodes, {self.duration:.1f} s @ "
            f"{self.sfreq:g} Hz, {len(self.stimulus_intervals)} stimuli, "
            f"{len(self.cap_times)} CAPs, {snr})"
        )


def cuff_electrode_positions(n_rings=7, n_electrodes_per_ring=8, cuff_radius=0.8e-3,
                             ring_spacing=1.0e-3, rotation=0.0):
    """Positions of the contacts of an ``n_rings x n_electrodes_per_ring`` cylindrical cuff.

    Parameters
    ----------
    n_rings, n_electrodes_per_ring : int
        Cuff layout; rows are ordered ring-major (``r * M + m``).
    cuff_radius : float
        Inner radius of the cuff in metres.
    ring_spacing : float
        Distance between neighbouring rings in metres; the middle ring is at z=0.
    rotation : float
        Angle (rad) of electrode 0 around the nerve axis.

    Returns
    -------
    positions : ndarray of shape (n_rings * n_electrodes_per_ring, 3)
        (x, y, z) in metres.
    """
    ring = np.repeat(np.arange(n_rings), n_electrodes_per_ring)
    m = np.tile(np.arange(n_electrodes_per_ring), n_rings)
    angle = rotation + 2 * np.pi * m / n_electrodes_per_ring
    z = (ring - (n_rings - 1) / 2.0) * ring_spacing
    return np.column_stack([cuff_radius * np.cos(angle), cuff_radius * np.sin(angle), z])



def simulate_nerve_cuff(
    stimulus="dorsiflexion",
    *,
    snr_db=2.0,
    duration_s=10.0,
    sfreq=30000.0,
    n_rings=7,
    n_electrodes_per_ring=8,
    animal=0,
    n_sources_per_class=4,
    n_shared_sources=2,
    cap_rate_hz=100.0,
    spontaneous_rate_hz=1.0,
    cross_talk=0.1,
    async_rate_hz=2000.0,
    async_amplitude=0.15,
    cap_amplitude_uv=5.0,
    stimulus_rate_bpm=70.0,
    stimulus_duration_s=0.64,
    stimulus_jitter_s=0.03,
    nerve_radius=0.6e-3,
    cuff_radius=0.8e-3,
    ring_spacing=1.0e-3,
    conductivity=0.5,
    noise_mix=(0.6, 0.2, 0.2),
    n_emg_sources=3,
    emg_band=(20.0, 800.0),
    artifact_correlation_length=0.6e-3,
    chunk_s=1.0,
    random_state=None,
):
    """SIMULATE a multi-contact nerve-cuff recording of one stimulus class (synthetic data).

    Implements the system model of the MobilESCAPE-Net paper, section II (see the
    module docstring): lead field ``-1/(4 pi sigma d^2)``, conduction delays
    along the cuff (the CAP moves across the rings), triphasic CAPs fired by
    the stimulated fascicle during stimulus-on periods at ``stimulus_rate_bpm``,
    interference correlated across neighbouring electrodes, common white noise.
    **This is a simulator**: use it for tests, demos and benchmarks, never as
    a stand-in for results on real nerve recordings.

    Parameters
    ----------
    stimulus : {"dorsiflexion", "plantarflexion", "pricking"} or int
        Class of the recording (one class per recording, as in the paper's data).
    snr_db : float or None, default=2.0
        Target SNR in dB with the paper's Table I definition (electrode
        average of mean power during stimulus-on / mean power during
        stimulus-off, on the raw signal), **averaged over the animal's three
        classes**: the noise level is set per animal, so each class's own SNR
        deviates from it (as the per-class values of Table I do) and the noise
        level carries no class information. Computed from the expected powers
        of the model, so a short recording measures within a few tenths of a dB.
        Must be > 0 dB. The paper's retained rats span 0.2-3.6 dB. ``None``
        gives a noiseless signal.
    duration_s : float, default=10.0
        Length in seconds (memory: 6.7 MB per second for 56 channels at 30 kHz).
    sfreq : float, default=30000.0
        Sampling frequency in Hz.
    n_rings, n_electrodes_per_ring : int, default=7, 8
        Cuff layout (56 contacts, rows ring-major).
    animal : int, default=0
        Seed of the anatomy (cuff rotation, fascicle positions, velocities, CAP
        widths). The three classes of one animal must share it.
    n_sources_per_class : int, default=4
        Sources (fibre groups) in each class's fascicle.
    n_shared_sources : int, default=2
        Sources firing spontaneously in every class (not class-specific).
    cap_rate_hz : float, default=100.0
        Mean rate of evoked CAPs (all sources of the fascicle together) during
        stimulus-on periods, in Hz.
    spontaneous_rate_hz : float, default=1.0
        Rate of spontaneous CAPs per source (all sources, on and off periods).
        Spontaneous CAPs of the *other* classes' fascicles inside a stimulus
        period become mislabelled signatures, as in real recordings; they cap
        the attainable accuracy.
    cross_talk : float, default=0.1
        Fraction of the evoked CAPs fired by the *other* classes' fascicles
        (co-activated fibres: a movement also stretches the antagonists). These
        signatures carry the recording's label but look like another class.
    async_rate_hz : float, default=2000.0
        Rate (Hz) of small asynchronous unit potentials from the stimulated
        fascicle during stimulus-on periods (recruited fibres that do not fire
        in synchrony). They raise the on-period power without forming
        detectable CAPs, so that a given ``snr_db`` means a noisier signal.
        Not listed in ``cap_times``.
    async_amplitude : float, default=0.15
        Amplitude of those potentials relative to a CAP.
    cap_amplitude_uv : float, default=5.0
        Peak CAP amplitude (µV) on the nearest electrode for a source at the
        median distance; the lead field scales the rest.
    stimulus_rate_bpm : float, default=70.0
        Metronome rate of the stimuli.
    stimulus_duration_s : float, default=0.64
        Mean length of a stimulus-on period (s).
    stimulus_jitter_s : float, default=0.03
        Standard deviation of the onset timing of the manual stimuli (s).
    nerve_radius, cuff_radius, ring_spacing : float
        Geometry in metres (defaults 0.6 mm, 0.8 mm, 1.0 mm: a rat sciatic
        nerve in a 6 mm long cuff).
    conductivity : float, default=0.5
        Tissue conductivity sigma in S/m (only fixes the lead field's scale).
    noise_mix : tuple of 3 float, default=(0.6, 0.2, 0.2)
        Shares of the noise power from EMG, electrode artefacts and common
        white noise ``u`` (normalised to sum to 1).
    n_emg_sources : int, default=3
        Muscle sources outside the cuff (2-6 mm from the nerve).
    emg_band : tuple of float, default=(20.0, 800.0)
        Band of the EMG interference in Hz.
    artifact_correlation_length : float, default=0.6e-3
        Spatial correlation length (m) of the electrode artefacts.
    chunk_s : float, default=1.0
        Block length (s) of the noise generation (bounds the temporary memory).
    random_state : int, RandomState instance or None
        Seeds the stimulus timing, CAP firing and noise.

    Returns
    -------
    recording : NerveCuffRecording
        ``data`` (n_electrodes, n_times) float32 in volts, the electrode layout,
        ``stimulus_intervals`` (s), ``label``, ground-truth ``cap_times`` (s),
        ``simulated=True``.

    Raises
    ------
    ValueError
        For an unknown stimulus, a non-positive duration or SNR, or a geometry
        that puts the sources outside the nerve.

    Examples
    --------
    >>> rec = simulate_nerve_cuff("pricking", snr_db=2.0, duration_s=5.0, random_state=0)
    >>> rec.data.shape
    (56, 150000)
    """
    stimulus, sfreq, mix = _check_simulation_args(
        stimulus, sfreq=sfreq, duration_s=duration_s, snr_db=snr_db, nerve_radius=nerve_radius,
        cuff_radius=cuff_radius, noise_mix=noise_mix, cross_talk=cross_talk,
    )
    n_rings, n_electrodes_per_ring, n_sources_per_class, n_shared_sources, n_emg_sources = (
        check_positive_int(value, name, minimum)
        for value, name, minimum in (
            (n_rings, "n_rings", 3), (n_electrodes_per_ring, "n_electrodes_per_ring", 1),
            (n_sources_per_class, "n_sources_per_class", 1),
            (n_shared_sources, "n_shared_sources", 0), (n_emg_sources, "n_emg_sources", 1),
        )
    )
    n_times = int(round(duration_s * sfreq))

    # anatomy of the animal (shared by its three classes)
    anat = np.random.default_rng([int(animal), 20250509])
    electrodes = cuff_electrode_positions(
        n_rings, n_electrodes_per_ring, cuff_radius, ring_spacing, rotation=0.0
    )
    src_pos, src_vel, src_width, src_class = build_anatomy(
        anat, n_sources_per_class=n_sources_per_class, n_shared_sources=n_shared_sources,
        nerve_radius=nerve_radius, ring_spacing=ring_spacing,
    )
    h, delays, delay_mid = lead_field_and_delays(
        electrodes, src_pos, src_vel, conductivity=conductivity,
        cap_amplitude_uv=cap_amplitude_uv,
    )

    # stimulus timing and firing
    rng = np.random.default_rng(seed_from_random_state(random_state))
    label = STIMULUS_CLASSES.index(stimulus)
    intervals = stimulus_intervals(
        duration_s, stimulus_rate_bpm, stimulus_duration_s, rng, stimulus_jitter_s
    )
    rates = dict(cap_rate_hz=cap_rate_hz, spontaneous_rate_hz=spontaneous_rate_hz,
                 cross_talk=cross_talk, async_rate_hz=async_rate_hz,
                 async_amplitude=async_amplitude)
    ev_t, ev_src, ev_evoked, ev_amp, ev_width, n_caps = firing_events(
        rng, label=label, src_class=src_class, src_width=src_width, intervals=intervals,
        duration_s=duration_s, **rates,
    )
    data = neural_signal(
        ev_t, ev_src, ev_amp, ev_width, h=h, delays=delays, src_width=src_width,
        n_rings=n_rings, n_electrodes_per_ring=n_electrodes_per_ring, n_times=n_times,
        sfreq=sfreq,
    )

    # noise: v_l (EMG + artefacts) + u, scaled to the target SNR. The noise gain is solved
    # on the class average of the expected on/off powers, so the noise level depends on the
    # animal and snr_db only: a per-recording calibration would make the noise level itself
    # reveal the class.
    if snr_db is not None:
        p_on, p_off = expected_powers(h, src_width, src_class, **rates)
        g_emg, mixing, noise_shape = noise_model(
            anat, electrodes, nerve_radius=nerve_radius, n_emg_sources=n_emg_sources,
            conductivity=conductivity, artifact_correlation_length=artifact_correlation_length,
            mix=mix,
        )
        g = noise_gain(p_on, p_off, noise_shape, snr_db)
        add_noise(data, rng, g=g, mix=mix, g_emg=g_emg, mixing=mixing, emg_band=emg_band,
                  sfreq=sfreq, chunk_s=chunk_s)

    ev_t, ev_src = ev_t[:n_caps], ev_src[:n_caps]
    order = np.argsort(ev_t + delay_mid[ev_src], kind="stable")
    return NerveCuffRecording(
        data=data,
        sfreq=sfreq,
        n_rings=n_rings,
        n_electrodes_per_ring=n_electrodes_per_ring,
        electrode_positions=electrodes,
        stimulus_intervals=intervals,
        label=label,
        stimulus=stimulus,
        cap_times=(ev_t + delay_mid[ev_src])[order],
        cap_sources=ev_src[order],
        cap_evoked=ev_evoked[order],
        source_positions=src_pos,
        source_velocities=src_vel,
        snr_db=None if snr_db is None else float(snr_db),
        subject=f"sim-animal-{int(animal)}",
        simulated=True,
    )


def _check_simulation_args(stimulus, *, sfreq, duration_s, snr_db, nerve_radius, cuff_radius,
                           noise_mix, cross_talk):
    """Check the scalar arguments; return the stimulus name, sfreq and normalised noise mix."""
    if isinstance(stimulus, numbers.Integral) and not isinstance(stimulus, bool):
        if not 0 <= stimulus < len(STIMULUS_CLASSES):
            raise ValueError(f"stimulus index must be 0, 1 or 2, got {stimulus}.")
        stimulus = STIMULUS_CLASSES[int(stimulus)]
    if stimulus not in STIMULUS_CLASSES:
        raise ValueError(f"stimulus must be one of {STIMULUS_CLASSES}, got {stimulus!r}.")
    sfreq = check_sfreq(sfreq)
    if not (isinstance(duration_s, numbers.Real) and duration_s > 0):
        raise ValueError(f"duration_s must be a positive number of seconds, got {duration_s!r}.")
    if snr_db is not None and not (isinstance(snr_db, numbers.Real) and snr_db > 0):
        raise ValueError(
            f"snr_db must be > 0 dB (on/off power ratio, paper Table I) or None, got {snr_db!r}."
        )
    if not 0 < nerve_radius < cuff_radius:
        raise ValueError(
            f"nerve_radius ({nerve_radius} m) must be positive and smaller than cuff_radius "
            f"({cuff_radius} m): the sources lie inside the nerve, inside the cuff."
        )
    mix = np.asarray(noise_mix, dtype=float)
    if mix.shape != (3,) or (mix < 0).any() or mix.sum() <= 0:
        raise ValueError(f"noise_mix must be 3 non-negative shares, got {noise_mix!r}.")
    mix = mix / mix.sum()
    if not 0 <= cross_talk < 1:
        raise ValueError(f"cross_talk must be in [0, 1), got {cross_talk!r}.")
    return stimulus, sfreq, mix
