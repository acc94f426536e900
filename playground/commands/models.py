"""``nn-playground spec``, ``export`` and ``predict``: any file the app writes in, specs and exports out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from playground.commands.common import report
from playground.errors import PlaygroundError

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_EXPORT_NAMES = {"torchscript": "{stem}-torchscript.pt", "onnx": "{stem}.onnx",
                        "script": "{stem}-train.py"}


def spec(args: argparse.Namespace) -> int:
    """Write (or print) the spec of a preset or of a model file, with the model's data facts."""
    from playground.atomic import atomic_write
    from playground.core.presets import PRESETS, preset

    if args.source in PRESETS:
        data = preset(args.source).to_dict()
    else:
        from playground.core.predict_files import open_model

        project = open_model(args.source)
        facts = project.facts
        data = {**project.spec.to_dict(), "dataset": facts.dataset.key,
                "class_names": list(facts.class_names), "mean": list(facts.mean), "std": list(facts.std)}
    text = json.dumps(data, indent=2) + "\n"
    if args.output is None:
        print(text, end="")
        return EXIT_OK
    try:
        atomic_write(args.output, text.encode("utf-8"))
    except OSError as exc:
        raise PlaygroundError(f"cannot write {args.output}: {exc.strerror or exc}",
                              "choose another folder") from None
    print(f"Wrote {args.output}: the network of {args.source} "
          f"(edit it, then `nn-playground train --spec {args.output}`)")
    return EXIT_OK


def _export_path(args: argparse.Namespace) -> Path:
    """``-o``, or the default name beside the model, which is never overwritten without ``--force``."""
    if args.output is not None:
        return args.output
    out = args.model.with_name(DEFAULT_EXPORT_NAMES[args.format].format(stem=args.model.stem))
    if out.exists() and not args.force:
        raise PlaygroundError(f"{out} exists already",
                              "name the output with -o, or overwrite it with --force")
    return out


def export(args: argparse.Namespace) -> int:
    """Export a project, a model file or a state dict with its spec."""
    from playground.core.export import export_project
    from playground.core.predict_files import open_model

    out = _export_path(args)
    project = open_model(args.model, args.spec)
    if project.weights is None and args.format != "script":
        raise PlaygroundError(f"{args.model}: the project has no trained weights to export",
                              "train it first, or export the training script (--format script)")
    print(export_project(project, args.format, out))
    return EXIT_OK


def predict(args: argparse.Namespace) -> int:
    """Classify each picture; a picture that cannot be read is reported and makes the exit code 1."""
    from playground.core.predict_files import load_for_prediction, read_digit

    loaded = load_for_prediction(args.model, args.spec)
    results: list[dict[str, object]] = []
    failed = False
    for path in args.images:
        try:
            image = read_digit(path)
            probs = None if image is None else loaded.classify(image[None])[0]
        except PlaygroundError as exc:
            failed = True
            results.append({"path": str(path), "error": exc.message})
            if not args.json:
                report(exc)
            continue
        if probs is None:  # no ink
            results.append({"path": str(path), "error": "no ink: the picture is blank"})
            if not args.json:
                print(f"{path}: no ink found, nothing to classify")
            continue
        best = int(probs.argmax())
        results.append({"path": str(path), "prediction": loaded.class_names[best], "index": best,
                        "confidence": float(probs[best]), "probabilities": [float(p) for p in probs]})
        if not args.json:
            print(f"{path}: {loaded.class_names[best]} ({probs[best]:.1%})")
            print("  " + "  ".join(f"{name}: {p:.3f}" for name, p in zip(loaded.class_names, probs,
                                                                          strict=True)))
    if args.json:
        print(json.dumps({"model": str(args.model), "classes": list(loaded.class_names),
                          "images": results}, allow_nan=False))
    return EXIT_FAILED if failed else EXIT_OK
