# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_fleet_power: shed or restore the power of many miners in one task, run once on the controller."""

from __future__ import annotations

import json
import time

from ansible.utils.display import Display

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils import _curtail_plan as plan_of
from ansible_collections.hashops.whatsminer.plugins.module_utils import _curtail_record as record_of
from ansible_collections.hashops.whatsminer.plugins.module_utils import _fleet
from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import values_to_mask
from ansible_collections.hashops.whatsminer.plugins.module_utils._fleet_spec import ARGUMENT_SPEC
from ansible_collections.hashops.whatsminer.plugins.plugin_utils import _controller_files as files
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._action import WhatsMinerAction
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._result_secrets import without_secrets
from ansible_collections.hashops.whatsminer.plugins.plugin_utils._fleet_targets import HostLookup, LazyTargets

display = Display()


class ActionModule(WhatsMinerAction):
    """Not a resource action: one run talks to many miners, each with its own connection (``targets``)."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(WhatsMinerAction, self).run(tmp, task_vars)  # pylint: disable=bad-super-call
        validation, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        lookup = HostLookup(task_vars, self._templar)
        names = params["hosts"] if params["hosts"] is not None else list(task_vars.get("ansible_play_hosts") or [])
        found = LazyTargets(names, lookup, params, self._fill_connection)
        result.update(self._run(params, found, lookup, [name for name in names if not lookup.known(name)]))
        masked = values_to_mask(None, params, validation._no_log_values)  # pylint: disable=protected-access
        for password in {target.password for target in found if target.password}:
            masked |= values_to_mask(None, {"password": password}, ())
        return without_secrets(result, masked)

    def _run(self, params, found, lookup, unknown):
        if not _crypto.HAS_CRYPTO_LIBS:
            return {"failed": True, "msg": "the controller's Python lacks pycryptodome: "
                                           "pip install -r requirements.txt of hashops.whatsminer"}
        if unknown:
            return {"failed": True, "msg": f"not hosts of this inventory: {', '.join(unknown[:10])}; nothing was sent"}
        if not 1 <= params["percent"] <= 99:
            return {"failed": True, "msg": f"percent must be from 1 to 99, got {params['percent']}; nothing was sent"}
        if params["concurrency"] < 1 or params["restore_batch_size"] < 1:
            return {"failed": True, "msg": "concurrency and restore_batch_size must be at least 1; nothing was sent"}
        started = time.monotonic()
        check = bool(self._task.check_mode)
        if params["operation"] == "shed":
            outcome = self._shed(params, found, lookup, check)
        else:
            outcome = self._restore(params, found, lookup, check)
        failures = [miner["msg"] for miner in outcome["miners"] if miner.get("failed")]
        outcome.update(operation=params["operation"], mode=params["mode"], check_mode=check,
                       totals=plan_of.totals(outcome["miners"]), failures=failures,
                       changed=any(miner.get("changed") for miner in outcome["miners"]),
                       elapsed_s=_fleet.elapsed_since(started))
        if params["record"] and not check:
            self._record(params, outcome)
        if failures:
            stop = f"{outcome['msg']}. " if outcome.get("msg") else ""
            outcome.update(failed=True, msg=f"{stop}{len(failures)} of {len(found)} miners failed; the first: "
                                            f"{failures[0]}")
        else:
            outcome["msg"] = outcome.get("msg") or f"{params['operation']}: {len(outcome['miners'])} miners" + (
                " (check mode: nothing was sent)" if check else "")
        return outcome

    def _shed(self, params, found, lookup, check):
        """Read every miner (unless ``readings`` has it), plan, print the plan, then shed and verify the chosen."""
        mode, percent = params["mode"], params["percent"]
        readings = {name: facts for name, facts in params["readings"].items() if isinstance(facts, dict)}
        survey = _fleet.fan_out(lambda target: _fleet.survey(target, mode),
                                (t for t in found if t.name not in readings), params["concurrency"])
        readings.update((entry["host"], entry.pop("facts")) for entry in survey if "facts" in entry)
        plan = plan_of.select({t.name: readings[t.name] for t in found if t.name in readings}, mode, percent,
                              params["target_kw"])
        picked = set(plan["miners"])
        chosen = [target for target in found if target.name in picked]
        plan["restore_batches"] = self._batches(plan["miners"],
                                                {name: readings[name].get("efficiency_jth") for name in picked},
                                                params, lookup)
        # a miner the survey could not read is not part of the plan, but it is a failure of the event
        unreadable = [entry for entry in survey if entry.get("failed")]
        preview = [{"host": t.name, "changed": not _fleet.is_curtailed(readings[t.name], mode, percent)} for t in chosen]
        text = plan_of.describe(plan, preview + unreadable, self._heading(params), params["restore_batch_size"],
                                params["pdu_var"], check)
        display.display(text)  # before anything is sent: the operator sees the plan while the shed runs
        miners = _fleet.fan_out(lambda target: _fleet.shed(target, mode, percent, check, params["verify_timeout"],
                                                           readings[target.name]),
                                chosen, params["concurrency"])
        outcome = {"plan": plan, "plan_text": text, "miners": miners + unreadable}
        if check:  # for a shed that follows; after a real shed they are stale, and each miner's before has them
            outcome["readings"] = {m["host"]: m["before"] for m in miners if isinstance(m.get("before"), dict)}
        return outcome

    @staticmethod
    def _heading(params) -> str:
        mode = params["mode"] + (f" {params['percent']}%" if params["mode"] == "percent" else "")
        record = params["record"] or {}
        previous = record.get("event") or {}
        if record_of.is_active(previous):
            return f"mode {mode}, re-curtailing active event {previous.get('event_id')}"
        return f"mode {mode}, target {json.dumps(record.get('target') or {'kind': 'hosts'})}"

    def _restore(self, params, found, lookup, check):
        baselines = params["baselines"]
        by_name = {target.name: target for target in found}
        efficiency = {name: (baselines.get(name) or {}).get("efficiency_jth") for name in by_name}
        batches = self._batches(list(by_name), efficiency, params, lookup)
        miners, report = [], []
        stopped = None
        for index, batch in enumerate(batches, 1):
            if stopped is not None:
                report.append({"batch": index, "miners": batch, "result": "not started"})
                continue
            if index > 1 and not check and params["restore_batch_interval"] > 0:
                time.sleep(params["restore_batch_interval"])
            began = time.time()
            done = _fleet.fan_out(
                lambda target: _fleet.restore(target, baselines.get(target.name) or {}, params["mode"], check,
                                              params["verify_timeout"]),
                [by_name[name] for name in batch], params["concurrency"])
            for miner in done:
                miner["batch"] = index
            miners += done
            failed = [miner["host"] for miner in done if miner.get("failed")]
            report.append({"batch": index, "miners": batch, "started": round(began, 3),
                           "confirmed": None if failed or check else round(time.time(), 3),
                           "result": "failed" if failed else ("planned" if check else "confirmed")})
            if failed:
                stopped = index
        outcome = {"plan": {"restore_batches": batches, "count": len(by_name)}, "batches": report, "miners": miners}
        if stopped is not None:
            left = [name for entry in report if entry["result"] == "not started" for name in entry["miners"]]
            outcome["not_restored"] = left
            outcome["stopped"] = outcome["msg"] = (
                f"restore stopped at batch {stopped} of {len(batches)}: "
                f"{', '.join(m['host'] for m in miners if m.get('failed'))} did not come back; "
                f"{len(left)} miners were left curtailed: {', '.join(left[:20])}{' ...' if len(left) > 20 else ''}")
        return outcome

    def _batches(self, names, efficiency, params, lookup):
        pdu = {}
        for name in names:
            where = lookup.var(name, params["pdu_var"])
            if where not in (None, ""):
                pdu[name] = str(where)
        return plan_of.restore_batches(names, efficiency, pdu, params["restore_batch_size"])

    def _record(self, params, outcome):
        """The event in the state file and one line in the event log, written here rather than by more tasks."""
        record, now = params["record"], record_of.utc_now()
        previous = record["event"]
        try:
            if params["operation"] == "shed":
                event = record_of.shed_event(previous, dict(outcome, percent=params["percent"]), record["target"], now)
                target_met = record["target_met"] and outcome["plan"].get("target_met", True)
                line = record_of.shed_line(event, outcome, record["failures"], target_met, now)
            else:
                event = record_of.restore_event(previous, outcome, now)
                line = record_of.restore_line(previous, event, outcome, now)
            files.write_json(record["state_file"], event)
            files.append_line(record["event_log"], line)
        except OSError as err:
            outcome["failures"].append(f"the controller could not record the event in {record['state_file']} and "
                                       f"{record['event_log']}: {err}")
            return
        outcome.update(event=event, event_line=line)
