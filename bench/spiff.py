"""The SpiffWorkflow 3.2.0 reference: the LAKIP SOP as BPMN (bench/lakip.bpmn), persisted after every step.

Each step completes the ready user task with the data a sop-engine step records (who, note,
the document's sha256 and size), runs the engine steps (the return gateways), then serialises
the whole workflow to JSON and writes it to a file durably (temp file, fsync, rename): the same
promise as a committed transaction. The documents themselves are hashed, not stored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from bench.harness import NotMeasured
from bench.install import WITH_FILE, Stopwatch

BPMN = Path(__file__).with_name("lakip.bpmn")


class SpiffProcess:
    """The parsed LAKIP process and a serialiser, ready to run cases."""

    def __init__(self) -> None:
        try:
            from SpiffWorkflow.bpmn import BpmnWorkflow
            from SpiffWorkflow.bpmn.parser import BpmnParser
            from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
            from SpiffWorkflow.util.task import TaskState
        except ImportError as exc:
            raise NotMeasured("SpiffWorkflow is not installed (make bench installs the bench extra)") from exc
        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec("lakip")
        self.serializer = BpmnWorkflowSerializer()
        self._workflow_class: Any = BpmnWorkflow
        self._ready: Any = TaskState.READY

    def run_case(self, folder: Path, number: int, documents: list[Path], watch: Stopwatch) -> None:
        """Run case ``number`` through its 11 steps, timing each step (task, engine steps, durable save)."""
        folder.mkdir(parents=True, exist_ok=True)
        workflow = self._workflow_class(self.spec)
        workflow.do_engine_steps()
        target = folder / f"kasus-{number}.json"
        no = 0
        while not workflow.is_completed():
            no += 1
            document = documents[(number * 11 + no) % len(documents)] if no in WITH_FILE else None
            with watch.timing():
                self._complete(workflow, no, document)
                _save(target, self.serializer.serialize_json(workflow))

    def _complete(self, workflow: Any, no: int, document: Path | None) -> None:
        task = workflow.get_tasks(state=self._ready, manual=True)[0]
        data = {"oleh": task.task_spec.lane, "catatan": None, "kembali_ke": 0}
        if document is not None:
            content = document.read_bytes()
            data["berkas"] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()


def _save(target: Path, text: str) -> None:
    partial = target.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(target)
