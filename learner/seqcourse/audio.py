"""Audio-like waveforms made by our own code (chapter 09, WaveNet).

`tone_bursts` writes a short piece of "music": notes that start at random times, each a sum of a
fundamental and a few harmonics under an envelope that rises quickly and then decays
exponentially, like a plucked string. Everything is drawn from `np.random.default_rng(seed)`, so
a waveform is the same on every machine. A waveform is a 1-D float64 array of shape (T,) with
values in (-1, 1), oldest sample first, as audio files store it after scaling.

Chapter 09 quantises these waveforms with mu-law companding, which learners write themselves;
later chapters import it from `seqcourse.mulaw`.
"""
import numpy as np

PENTATONIC = (196.0, 220.0, 246.94, 293.66, 329.63, 392.0, 440.0)  # G3 A3 B3 D4 E4 G4 A4, in Hz


def tone_bursts(n_samples: int = 16000, sample_rate: int = 4000, notes_per_second: float = 5.0,
                pitches=PENTATONIC, harmonics: int = 3, decay=(0.08, 0.4), attack: float = 0.004,
                noise: float = 0.002, peak: float = 0.9, seed: int = 0, return_notes: bool = False):
    """A seeded sum of decaying tones -> waveform (n_samples,), float64, values in [-peak, peak].

    Notes start at the times of a Poisson process with `notes_per_second`. Note i has a pitch f_i
    drawn from `pitches`, a loudness a_i ~ U(0.3, 1), a decay time tau_i ~ U(*decay) seconds and
    a random phase per harmonic; at time s >= onset_i (in seconds) it contributes

        a_i * env_i(s) * sum_{h=1}^{harmonics} h^(-1.5) sin(2 pi h f_i (s - onset_i) + phi_ih),
        env_i(s) = min(1, (s - onset_i) / attack) * exp(-(s - onset_i) / tau_i).

    The sum of all notes plus white noise of standard deviation `noise` is scaled by one constant
    so that its largest magnitude is `peak` (only if it exceeds `peak`). With
    `return_notes=True` the function also returns the notes as a list of dicts (onset in
    seconds, pitch in Hz, loudness, decay, phases) before scaling, and the scale used.
    """
    rng = np.random.default_rng(seed)
    duration = n_samples / sample_rate
    s = np.arange(n_samples, dtype=np.float64) / sample_rate             # (T,) time in seconds
    onsets, onset = [], rng.exponential(1.0 / notes_per_second) * 0.5
    while onset < duration:
        onsets.append(onset)
        onset += rng.exponential(1.0 / notes_per_second)
    wave, notes = np.zeros(n_samples), []
    weights = np.arange(1, harmonics + 1, dtype=np.float64) ** -1.5      # (harmonics,)
    for onset in onsets:
        note = dict(onset=onset, pitch=float(rng.choice(pitches)), loudness=float(rng.uniform(0.3, 1.0)),
                    decay=float(rng.uniform(*decay)), phases=rng.uniform(0.0, 2 * np.pi, size=harmonics))
        notes.append(note)
        age = s - onset                                                  # (T,) seconds since the onset
        playing = age >= 0
        envelope = np.minimum(1.0, age[playing] / attack) * np.exp(-age[playing] / note["decay"])
        h = np.arange(1, harmonics + 1)[:, None]                         # (harmonics, 1)
        partials = np.sin(2 * np.pi * h * note["pitch"] * age[playing] + note["phases"][:, None])
        wave[playing] += note["loudness"] * envelope * (weights @ partials)
    wave += noise * rng.normal(size=n_samples)
    scale = min(1.0, peak / np.abs(wave).max()) if np.abs(wave).max() > 0 else 1.0
    wave = wave * scale
    return (wave, notes, scale) if return_notes else wave
