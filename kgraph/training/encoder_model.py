"""The torch side of the encoder tagger: the network and its ONNX export (training only)."""

from __future__ import annotations

from pathlib import Path

import torch

from ..nlp.encoder_ner import N_SHAPES


class TaggerNet(torch.nn.Module):
    """Encoder, first word piece of each word, word-shape features, linear layer to tags."""

    def __init__(self, encoder: torch.nn.Module, n_tags: int, *, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(dropout)
        self.out = torch.nn.Linear(encoder.config.hidden_size + N_SHAPES, n_tags)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, first: torch.Tensor, shapes: torch.Tensor) -> torch.Tensor:
        return self.tag_and_vectors(ids, mask, first, shapes)[0]

    def tag_and_vectors(self, ids, mask, first, shapes) -> tuple[torch.Tensor, torch.Tensor]:
        """Tag scores and each word's vector (the encoder's output at its first piece)."""
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        index = first.unsqueeze(-1).expand(-1, -1, hidden.shape[-1])
        words = torch.gather(hidden, 1, index)
        return self.out(self.dropout(torch.cat([words, shapes], dim=-1))), words


class _WithVectors(torch.nn.Module):
    def __init__(self, net: TaggerNet):
        super().__init__()
        self.net = net

    def forward(self, ids, mask, first, shapes):
        return self.net.tag_and_vectors(ids, mask, first, shapes)


def export_onnx(net: TaggerNet, path: Path) -> None:
    """ONNX graph with dynamic batch, piece and word axes; outputs ``logits`` and ``vectors``."""
    net.eval()
    ids = torch.tensor([[101, 2000, 2001, 102]], dtype=torch.long)
    mask = torch.ones_like(ids)
    first = torch.tensor([[1, 2]], dtype=torch.long)
    shapes = torch.zeros((1, 2, N_SHAPES), dtype=torch.float32)
    torch.onnx.export(
        _WithVectors(net), (ids, mask, first, shapes), str(path),
        input_names=["ids", "mask", "first", "shapes"], output_names=["logits", "vectors"],
        dynamic_axes={"ids": {0: "batch", 1: "pieces"}, "mask": {0: "batch", 1: "pieces"},
                      "first": {0: "batch", 1: "words"}, "shapes": {0: "batch", 1: "words"},
                      "logits": {0: "batch", 1: "words"}, "vectors": {0: "batch", 1: "words"}},
        opset_version=17, dynamo=False,
    )
