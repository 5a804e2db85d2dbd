"""seqcourse.recall, the delayed-recall experiment of chapters 06 and 08: shapes, parameter counts,
determinism under a seed, the scored steps, and that an LSTM learns a short delay quickly."""
import numpy as np
import pytest
import torch

from seqcourse.recall import (CELLS, RecallNet, RecallResult, default_length, recall_accuracy,
                              recurrent_parameters, train_recall)
from seqcourse.runtime import setup
from seqcourse.tasks import delayed_recall


@pytest.fixture(autouse=True)
def one_thread():
    setup(seed=0)  # one thread, deterministic algorithms, as in the notebooks


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_shapes_and_state(cell):
    model = RecallNet(cell, num_symbols=5, hidden_size=7)
    inputs, _ = delayed_recall(3, 11, 2, 5, seed=0)
    logits, state = model(torch.from_numpy(inputs))
    assert tuple(logits.shape) == (3, 11, 5)
    h = state[0] if cell == "lstm" else state
    assert tuple(h.shape) == (1, 3, 7)
    # the state carries over: two halves read one after the other give the whole stream's logits
    first, state = model(torch.from_numpy(inputs[:, :4]))
    second, _ = model(torch.from_numpy(inputs[:, 4:]), state)
    torch.testing.assert_close(torch.cat([first, second], dim=1), logits)


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
@pytest.mark.parametrize("D, H", [(4, 32), (3, 1), (10, 7)])
def test_parameter_counts(cell, gates, D, H):
    layer = CELLS[cell](D, H, batch_first=True)
    assert recurrent_parameters(cell, D, H) == sum(p.numel() for p in layer.parameters())
    assert recurrent_parameters(cell, D, H) == gates * (H * D + H * H + 2 * H)  # written out by hand
    model = RecallNet(cell, D, H)
    assert sum(p.numel() for p in model.parameters()) == recurrent_parameters(cell, D, H) + H * D + D


def test_unknown_cell_and_bad_lengths_are_refused():
    with pytest.raises(ValueError):
        RecallNet("transformer", 4, 8)
    with pytest.raises(ValueError):
        train_recall("lstm", delay=5, length=5, steps=1)
    with pytest.raises(ValueError):
        train_recall("lstm", delay=5, scored="first", steps=1)
    assert default_length(9, "last") == 10 and default_length(9, "every") == 29


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_deterministic_under_a_seed(cell):
    a = train_recall(cell, delay=3, hidden_size=8, steps=15, seed=4)
    b = train_recall(cell, delay=3, hidden_size=8, steps=15, seed=4)
    c = train_recall(cell, delay=3, hidden_size=8, steps=15, seed=5)
    assert isinstance(a, RecallResult) and a.cell == cell and a.delay == 3
    assert len(a.losses) == 15 and all(isinstance(loss, float) for loss in a.losses)
    assert a.losses == b.losses and a.accuracy == b.accuracy
    assert a.losses != c.losses
    assert a.seconds > 0 and 0.0 <= a.accuracy <= 1.0
    assert a.parameters == recurrent_parameters(cell, 4, 8) + 8 * 4 + 4


def test_init_is_called_once_before_training():
    calls = []

    def init(model):
        calls.append(model.recurrent.bias_ih_l0.detach().clone())
        with torch.no_grad():
            model.recurrent.bias_ih_l0.zero_()

    train_recall("lstm", delay=2, steps=0, init=init)
    assert len(calls) == 1


def test_untrained_accuracy_is_near_chance_and_scores_the_right_steps():
    """An untrained network guesses: 1000 streams, standard error 0.014 around 1/4, allow 6 of them."""
    torch.manual_seed(0)
    model = RecallNet("lstm", 4, 16)
    accuracy = recall_accuracy(model, delay=6)
    assert abs(accuracy - 0.25) < 6 * np.sqrt(0.25 * 0.75 / 1000)

    class Oracle(torch.nn.Module):  # reads the targets off the inputs: perfect at the scored steps only
        def __init__(self, delay):
            super().__init__()
            self.delay = delay

        def forward(self, inputs):
            logits = torch.zeros_like(inputs)
            logits[:, self.delay:] = 10 * inputs[:, :-self.delay]
            return logits, None

    assert recall_accuracy(Oracle(6), delay=6) == 1.0
    assert recall_accuracy(Oracle(6), delay=6, scored="every") == 1.0
    assert recall_accuracy(Oracle(5), delay=6) < 0.4  # one step off: chance


def test_lstm_learns_delay_one_quickly():
    result = train_recall("lstm", delay=1, hidden_size=16, steps=150, lr=0.02)
    assert result.accuracy > 0.98
    assert np.mean(result.losses[-10:]) < 0.2 < np.log(4) - 0.5 < result.losses[0] + 0.5
    assert result.seconds < 20


def test_every_step_scoring_learns_a_short_delay():
    result = train_recall("rnn", delay=2, hidden_size=16, steps=200, lr=0.02, scored="every")
    assert result.accuracy > 0.95
