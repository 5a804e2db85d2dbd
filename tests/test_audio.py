"""seqcourse.audio: the seeded waveforms are what their docstring promises, checked against the
formula rebuilt from the returned notes."""
import numpy as np
import pytest

from seqcourse.audio import PENTATONIC, tone_bursts


def test_shape_dtype_range_and_determinism():
    wave = tone_bursts(n_samples=20000, seed=3)
    assert wave.shape == (20000,) and wave.dtype == np.float64 and np.all(np.isfinite(wave))
    assert np.abs(wave).max() <= 0.9 + 1e-12
    np.testing.assert_array_equal(wave, tone_bursts(n_samples=20000, seed=3))
    assert not np.allclose(wave, tone_bursts(n_samples=20000, seed=4))


def test_the_waveform_is_the_sum_of_the_returned_notes():
    """Rebuild the noiseless waveform from the notes with the docstring's formula."""
    rate = 4000
    wave, notes, scale = tone_bursts(n_samples=12000, sample_rate=rate, noise=0.0, seed=5, return_notes=True)
    s = np.arange(12000) / rate
    rebuilt = np.zeros(12000)
    for note in notes:
        age = s - note["onset"]
        on = age >= 0
        envelope = np.minimum(1.0, age[on] / 0.004) * np.exp(-age[on] / note["decay"])
        partials = sum(h ** -1.5 * np.sin(2 * np.pi * h * note["pitch"] * age[on] + note["phases"][h - 1])
                       for h in range(1, 4))
        rebuilt[on] += note["loudness"] * envelope * partials
    np.testing.assert_allclose(wave, scale * rebuilt, atol=1e-12)
    assert all(note["pitch"] in PENTATONIC and 0.3 <= note["loudness"] <= 1.0 and 0.08 <= note["decay"] <= 0.4
               for note in notes)
    first = min(note["onset"] for note in notes)
    assert np.all(wave[s < first] == 0.0)  # silence before the first note


def test_note_rate_is_close_to_the_poisson_rate():
    _, notes, _ = tone_bursts(n_samples=200 * 200, sample_rate=200, notes_per_second=5.0, harmonics=1, seed=6,
                              return_notes=True)
    # 200 s at 5 notes per second: 1000 notes expected, standard deviation about sqrt(1000) = 32.
    assert abs(len(notes) - 1000) < 6 * np.sqrt(1000)


def test_a_single_note_has_its_pitch_as_the_strongest_frequency():
    rate = 4000
    wave, notes, _ = tone_bursts(n_samples=8000, sample_rate=rate, notes_per_second=0.4, noise=0.0, decay=(0.4, 0.4),
                                 seed=11, return_notes=True)
    assert len(notes) >= 1
    spectrum = np.abs(np.fft.rfft(wave))
    frequencies = np.fft.rfftfreq(len(wave), 1 / rate)
    pitches = {note["pitch"] for note in notes}
    assert min(abs(frequencies[np.argmax(spectrum)] - pitch) for pitch in pitches) < 2.0


def test_noise_has_the_promised_size():
    clean = tone_bursts(n_samples=50000, noise=0.0, seed=7)
    noisy = tone_bursts(n_samples=50000, noise=0.01, seed=7)
    # Same notes (the noise is drawn last), so the difference is the noise times the common scale.
    _, _, scale = tone_bursts(n_samples=50000, noise=0.01, seed=7, return_notes=True)
    _, _, clean_scale = tone_bursts(n_samples=50000, noise=0.0, seed=7, return_notes=True)
    noise = noisy / scale - clean / clean_scale
    assert noise.std() == pytest.approx(0.01, rel=0.03)
