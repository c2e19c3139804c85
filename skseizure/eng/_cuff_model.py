"""The system model behind :func:`~skseizure.eng.simulate_nerve_cuff`, step by step.

Anatomy of an animal (sources in fascicles), lead field and conduction delays, stimulus
timing and CAP firing, the neural signal, and the noise scaled to a target on/off SNR.
Each step takes the random generators it draws from, in the simulator's order, so that
the same seeds give the same arrays. See :mod:`skseizure.eng.simulator` for the model.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import optimize, signal

#: The three stimulus classes of the paper, in label order (0, 1, 2).
STIMULUS_CLASSES = ("dorsiflexion", "plantarflexion", "pricking")

# Simulator assumptions (not measured values): per class, the fascicle's angle in
# the nerve cross-section (rad, before the animal's cuff rotation), its radial
# position (fraction of the nerve radius), the conduction velocity (m/s) and the
# CAP width parameter (Ricker sigma, s). Proprioceptive (flexion) afferents are
# fast myelinated fibres; pricking (nociceptive A-delta) is slower and broader.
_CLASS_FASCICLES = {
    "dorsiflexion": dict(angle=0.0, radius=0.55, velocity=40.0, width=0.20e-3),
    "plantarflexion": dict(angle=2.1, radius=0.5, velocity=32.0, width=0.22e-3),
    "pricking": dict(angle=4.2, radius=0.6, velocity=12.0, width=0.32e-3),
}




def _lead_field(electrodes, sources, conductivity):
    """Paper eq. (2): ``h_lk = -1 / (4 pi sigma ||q_l - q_k||^2)``, shape (L, K)."""
    d2 = ((electrodes[:, None, :] - sources[None, :, :]) ** 2).sum(-1)
    return -1.0 / (4 * np.pi * conductivity * d2)


def _ricker(t, width):
    """Triphasic CAP shape, 1 at t=0, side lobes of -0.446 at +/- sqrt(3) width."""
    x2 = (t / width) ** 2
    return (1.0 - x2) * np.exp(-0.5 * x2)


def stimulus_intervals(duration_s, rate_bpm, on_s, rng, jitter_s):
    """Manually applied stimuli in time with a metronome: jittered onsets and lengths."""
    period = 60.0 / rate_bpm
    onsets = []
    t = 0.5 * period + rng.uniform(0, 0.25 * period)
    while True:
        onset = t + rng.normal(0, jitter_s)
        length = float(np.clip(rng.normal(on_s, 0.06 * on_s), 0.5 * on_s, 1.5 * on_s))
        if onset + length > duration_s - 0.05:
            break
        onsets.append((max(onset, 0.0), length))
        t += period
    intervals = []
    for i, (onset, length) in enumerate(onsets):
        if i + 1 < len(onsets):  # keep a silent gap before the next stimulus
            length = min(length, onsets[i + 1][0] - onset - 0.05)
        if intervals and onset <= intervals[-1][1]:
            continue
        intervals.append((onset, onset + length))
    return np.asarray(intervals, dtype=float).reshape(-1, 2)


def poisson_in_intervals(rate, intervals, rng, modulate):
    """Event times of a Poisson process of mean ``rate`` (Hz) inside ``intervals``.

    With ``modulate`` the rate follows a half-sine over each interval (activity
    builds up and decays during a movement) with the same mean.
    """
    times = []
    for start, end in intervals:
        length = end - start
        peak = rate * (np.pi / 2 if modulate else 1.0)
        n = rng.poisson(peak * length)
        t = rng.uniform(start, end, size=n)
        if modulate:  # thinning: keep with probability sin(pi * phase)
            keep = rng.uniform(size=n) < np.sin(np.pi * (t - start) / length)
            t = t[keep]
        times.append(t)
    return np.sort(np.concatenate(times)) if times else np.zeros(0)


def check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def build_anatomy(anat, *, n_sources_per_class, n_shared_sources, nerve_radius, ring_spacing):
    """Sources of one animal: positions (m), velocities (m/s), CAP widths (s) and classes.

    ``anat`` is the animal's generator; class ``-1`` marks the shared sources.
    """
    rotation = anat.uniform(0, 2 * np.pi)
    src_pos, src_vel, src_width, src_class = [], [], [], []
    for ci, name in enumerate(STIMULUS_CLASSES):
        fasc = _CLASS_FASCICLES[name]
        centre_angle = rotation + fasc["angle"] + anat.normal(0, 0.25)
        centre_r = nerve_radius * np.clip(fasc["radius"] + anat.normal(0, 0.08), 0.2, 0.75)
        velocity = fasc["velocity"] * anat.uniform(0.85, 1.15)
        width = fasc["width"] * anat.uniform(0.9, 1.1)
        for _ in range(n_sources_per_class):
            # fibres scattered within ~0.2 nerve radii of the fascicle centre
            r = np.clip(centre_r + anat.normal(0, 0.12 * nerve_radius), 0.05 * nerve_radius,
                        0.9 * nerve_radius)
            a = centre_angle + anat.normal(0, 0.2)
            z = anat.uniform(-0.5, 0.5) * ring_spacing
            src_pos.append((r * np.cos(a), r * np.sin(a), z))
            src_vel.append(velocity * anat.uniform(0.9, 1.1))
            src_width.append(width * anat.uniform(0.9, 1.1))
            src_class.append(ci)
    for _ in range(n_shared_sources):
        r = nerve_radius * anat.uniform(0.1, 0.8)
        a = anat.uniform(0, 2 * np.pi)
        src_pos.append((r * np.cos(a), r * np.sin(a), anat.uniform(-0.5, 0.5) * ring_spacing))
        src_vel.append(anat.uniform(15.0, 45.0))
        src_width.append(anat.uniform(0.2e-3, 0.3e-3))
        src_class.append(-1)
    return np.asarray(src_pos), np.asarray(src_vel), np.asarray(src_width), np.asarray(src_class)


def lead_field_and_delays(electrodes, src_pos, src_vel, *, conductivity, cap_amplitude_uv):
    """Scaled lead field ``h`` (L, K), delays to each electrode (L, K) and to the middle ring (K,)."""
    h = _lead_field(electrodes, src_pos, conductivity)  # (L, K)
    # scale: median over sources of the strongest electrode's |h| -> cap_amplitude_uv
    h *= cap_amplitude_uv * 1e-6 / np.median(np.abs(h).max(axis=0))
    delays = (electrodes[:, 2:3] - src_pos[None, :, 2]) / src_vel[None, :]  # (L, K) s
    delay_mid = (0.0 - src_pos[:, 2]) / src_vel  # middle ring at z=0
    return h, delays, delay_mid


def firing_events(rng, *, label, src_class, src_width, intervals, duration_s, cap_rate_hz,
                  spontaneous_rate_hz, cross_talk, async_rate_hz, async_amplitude):
    """Times (s), sources, evoked flags, amplitudes and widths of every pulse.

    The first ``n_caps`` pulses are CAPs (spontaneous and evoked); the asynchronous unit
    potentials that follow are not.

    Returns
    -------
    ev_t, ev_src, ev_evoked, ev_amp, ev_width, n_caps
    """
    n_src = len(src_class)
    whole = np.array([[0.0, duration_s]])
    ev_t, ev_src, ev_evoked = [], [], []
    active = np.flatnonzero(src_class == label)
    others = np.flatnonzero((src_class >= 0) & (src_class != label))
    for k in range(n_src):
        t_sp = poisson_in_intervals(spontaneous_rate_hz, whole, rng, modulate=False)
        ev_t.append(t_sp)
        ev_src.append(np.full(len(t_sp), k))
        ev_evoked.append(np.zeros(len(t_sp), bool))
        rate_k = 0.0
        if k in active:
            rate_k = cap_rate_hz * (1 - cross_talk) / len(active)
        elif k in others and cross_talk > 0:
            rate_k = cap_rate_hz * cross_talk / len(others)
        if rate_k > 0:
            t_ev = poisson_in_intervals(rate_k, intervals, rng, modulate=True)
            ev_t.append(t_ev)
            ev_src.append(np.full(len(t_ev), k))
            ev_evoked.append(np.ones(len(t_ev), bool))
    ev_t = np.concatenate(ev_t)
    ev_src = np.concatenate(ev_src).astype(int)
    ev_evoked = np.concatenate(ev_evoked)
    # per-CAP amplitude (number of fibres recruited) and width jitter
    ev_amp = rng.lognormal(0.0, 0.25, size=len(ev_t))
    ev_width = src_width[ev_src] * rng.uniform(0.93, 1.07, size=len(ev_t))
    n_caps = len(ev_t)
    if async_rate_hz > 0 and async_amplitude > 0:
        # asynchronous small potentials: same sources and lead field, not CAPs
        t_as = poisson_in_intervals(async_rate_hz, intervals, rng, modulate=True)
        src_as = rng.choice(active, size=len(t_as))
        ev_t = np.concatenate([ev_t, t_as])
        ev_src = np.concatenate([ev_src, src_as])
        ev_amp = np.concatenate(
            [ev_amp, async_amplitude * rng.lognormal(0.0, 0.25, size=len(t_as))]
        )
        ev_width = np.concatenate(
            [ev_width, src_width[src_as] * rng.uniform(0.93, 1.07, size=len(t_as))]
        )
    return ev_t, ev_src, ev_evoked, ev_amp, ev_width, n_caps


def neural_signal(ev_t, ev_src, ev_amp, ev_width, *, h, delays, src_width, n_rings,
                  n_electrodes_per_ring, n_times, sfreq):
    """``sum_k h_lk s_k(t - tau_lk)``, evaluated analytically: (n_electrodes, n_times) float32."""
    n_src = h.shape[1]
    n_el = n_rings * n_electrodes_per_ring
    data = np.zeros((n_el, n_times), dtype=np.float32)
    half = int(np.ceil(5 * src_width.max() * 1.07 * sfreq)) + 1
    offsets = np.arange(-half, half + 1)
    # tau_lk depends on the ring only (z), so the delayed waveforms are computed
    # once per ring and source, then mixed by the lead field: y_ring = h_ring @ s_ring.
    for ring in range(n_rings):
        rows = slice(ring * n_electrodes_per_ring, (ring + 1) * n_electrodes_per_ring)
        t0 = ev_t + delays[ring * n_electrodes_per_ring, ev_src]  # main phase at this ring
        centre = np.round(t0 * sfreq).astype(np.int64)
        idx = centre[:, None] + offsets[None, :]
        vals = ev_amp[:, None] * _ricker(idx / sfreq - t0[:, None], ev_width[:, None])
        ok = (idx >= 0) & (idx < n_times)
        flat = (ev_src[:, None] * n_times + idx)[ok]
        traces = np.bincount(flat, weights=vals[ok], minlength=n_src * n_times)
        traces = traces.reshape(n_src, n_times).astype(np.float32)
        data[rows] = h[rows].astype(np.float32) @ traces
        del traces
    return data


def expected_powers(h, src_width, src_class, *, cap_rate_hz, spontaneous_rate_hz, cross_talk,
                    async_rate_hz, async_amplitude):
    """Expected per-electrode powers of the neural part: on (n_classes, L) and off (L,).

    Poisson trains of zero-mean pulses: powers add, for each of the animal's classes.
    """
    n_src = h.shape[1]
    pulse = np.exp(2 * 0.25**2) * 0.75 * np.sqrt(np.pi) * src_width[None, :] * h**2
    p_off = pulse @ np.full(n_src, spontaneous_rate_hz)
    p_on = []
    for c in range(len(STIMULUS_CLASSES)):
        mine = src_class == c
        rest = (src_class >= 0) & ~mine
        rate = np.full(n_src, float(spontaneous_rate_hz))
        rate[mine] += cap_rate_hz * (1 - cross_talk) / mine.sum()
        if cross_talk > 0 and rest.any():
            rate[rest] += cap_rate_hz * cross_talk / rest.sum()
        if async_rate_hz > 0 and async_amplitude > 0:
            rate[mine] += async_rate_hz * async_amplitude**2 / mine.sum()
        p_on.append(pulse @ rate)
    p_on = np.asarray(p_on)  # (n_classes, L)
    return p_on, p_off


def noise_model(anat, electrodes, *, nerve_radius, n_emg_sources, conductivity,
                artifact_correlation_length, mix):
    """Spatial structure of the noise: EMG lead field, artefact mixing, per-electrode shape.

    ``anat`` is the animal's generator (the muscles belong to the animal).
    """
    # EMG: muscles outside the cuff, seen through the same lead field
    emg_r = nerve_radius + anat.uniform(2e-3, 6e-3, size=n_emg_sources)
    emg_a = anat.uniform(0, 2 * np.pi, size=n_emg_sources)
    emg_pos = np.column_stack(
        [emg_r * np.cos(emg_a), emg_r * np.sin(emg_a), anat.uniform(-5e-3, 5e-3, n_emg_sources)]
    )
    g_emg = _lead_field(electrodes, emg_pos, conductivity)
    emg_power = (g_emg**2).sum(axis=1)
    g_emg /= np.sqrt(emg_power.mean())
    emg_power = (g_emg**2).sum(axis=1)  # mean 1 over electrodes
    # electrode artefacts: white noise smoothed over neighbouring contacts
    d2 = ((electrodes[:, None, :] - electrodes[None, :, :]) ** 2).sum(-1)
    mixing = np.exp(-d2 / (2 * artifact_correlation_length**2))
    mixing /= np.linalg.norm(mixing, axis=1, keepdims=True)  # unit power per contact
    noise_shape = mix[0] * emg_power + mix[1] + mix[2]  # per-electrode noise power / g^2
    return g_emg, mixing, noise_shape


def noise_gain(p_on, p_off, noise_shape, snr_db):
    """Noise amplitude ``g`` giving the class-averaged on/off SNR ``snr_db``."""
    target = 10 ** (snr_db / 10.0)

    def excess(log_g2):
        n = np.exp(log_g2) * noise_shape
        return np.mean((p_on + n) / (p_off + n + 1e-300)) - target

    lo, hi = np.log(1e-30), np.log(1e-3)
    if excess(lo) <= 0:
        raise ValueError(
            f"snr_db={snr_db} dB is unreachable: even without noise the on/off power "
            f"ratio is {10 * np.log10(excess(lo) + target):.2f} dB; lower snr_db or raise "
            "cap_rate_hz."
        )
    return np.sqrt(np.exp(optimize.brentq(excess, lo, hi, xtol=1e-6)))


def add_noise(data, rng, *, g, mix, g_emg, mixing, emg_band, sfreq, chunk_s):
    """Add EMG, electrode artefacts and common white noise to ``data`` in place, by blocks."""
    n_el, n_times = data.shape
    n_emg_sources = g_emg.shape[1]
    sos = signal.butter(4, emg_band, btype="bandpass", fs=sfreq, output="sos")
    impulse = np.zeros(int(sfreq))
    impulse[0] = 1.0
    emg_gain = np.sqrt((signal.sosfilt(sos, impulse) ** 2).sum())  # unit-variance output
    zi = np.zeros((sos.shape[0], n_emg_sources, 2))
    chunk = max(int(chunk_s * sfreq), 1)
    for start in range(0, n_times, chunk):
        stop = min(start + chunk, n_times)
        n = stop - start
        white = rng.standard_normal((n_emg_sources, n))
        emg, zi = signal.sosfilt(sos, white, axis=1, zi=zi)
        block = (g * np.sqrt(mix[0]) / emg_gain) * (g_emg @ emg)
        block += (g * np.sqrt(mix[1])) * (mixing @ rng.standard_normal((n_el, n)))
        block += (g * np.sqrt(mix[2])) * rng.standard_normal(n)[None, :]
        data[:, start:stop] += block.astype(np.float32)
    return data
