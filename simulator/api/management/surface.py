"""The Management API v2 over the service: its requests in, its JSON out.

:class:`ManagementV2` has a method per operation of the API. Each takes what a request
carries (the caller, path parameters, the body as JSON, the caller's wishes) and
answers what the API answers, as JSON-ready data: the HTTP views call it, and so can
code that wants the API's answers without HTTP. Bodies are handed to the service to
read when it gets to them (see :class:`~simulator.service.commands.Body`).
"""

from __future__ import annotations

from typing import Any

from ...domain.attachments import KINDS
from ...domain.models import User
from ...service import Simulator
from ...service.commands import Body, Listing
from ...service.views import Accepted, Download, ElsewhereFile
from . import requests as read
from .query import parse_page_sort, parse_sort, parse_where
from .render import (
    Ask,
    Render,
    api_key_json,
    attachment_json,
    changes_json,
    dataset_json,
    default_security_json,
    domain_json,
    field_spec_json,
    file_json,
    group_json,
    group_ruleset_json,
    guess_json,
    harvester_errors_json,
    harvester_json,
    harvester_preview_json,
    job_json,
    member_json,
    metadata_json,
    new_group_json,
    page_json,
    page_ruleset_json,
    person_json,
    preview_json,
    processor_json,
    records_errors_json,
    resource_json,
    ruleset_json,
    status_json,
    version_json,
)

_PLAIN = Ask()


def _job_id(job: Accepted | None) -> dict[str, Any]:
    return {} if job is None else {"job_id": job.job_id}


class ManagementV2:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def render(self, ask: Ask = _PLAIN) -> Render:
        sim = self.simulator
        domain_id = sim.state.scenario.platform.domain_id
        return Render(sim.clock, ask.vocabulary or sim.state.vocabulary, ask.expand, domain_id)

    # datasets -----------------------------------------------------------------------

    def list_datasets(
        self,
        user: User,
        ask: Ask = _PLAIN,
        rows: int = 10,
        page: int = 1,
        where: str | None = None,
        sort: str | None = None,
    ) -> dict[str, Any]:
        def listing() -> Listing:
            filters = parse_where(where) if where else {}
            order = parse_sort(sort) if sort else []
            return Listing(filters, order, (page - 1) * rows, rows)

        found = self.simulator.datasets.list(user, Body(listing))
        r = self.render(ask)
        return {
            "datasets": [dataset_json(ds, r) for ds in found.items],
            "rows": rows,
            "page": page,
            "nhits": found.total,
        }

    def create_dataset(
        self, user: User, body: Any, ask: Ask = _PLAIN, strict: bool = False
    ) -> dict[str, Any]:
        made = self.simulator.datasets.create_dataset(
            user, Body(lambda: read.new_dataset(body, strict))
        )
        return dataset_json(made, self.render(ask))

    def get_dataset(self, user: User, dataset_uid: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return dataset_json(self.simulator.datasets.get(user, dataset_uid), self.render(ask))

    def update_dataset(
        self, user: User, dataset_uid: str, body: Any, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        changed = self.simulator.datasets.update_dataset(
            user, dataset_uid, Body(lambda: read.dataset_changes(body))
        )
        return dataset_json(changed, self.render(ask))

    def delete_dataset(self, user: User, dataset_uid: str) -> dict[str, Any]:
        return _job_id(self.simulator.datasets.delete_dataset(user, dataset_uid))

    # status, actions, jobs ---------------------------------------------------------------

    def dataset_status(self, user: User, dataset_uid: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return status_json(self.simulator.datasets.status(user, dataset_uid), self.render(ask))

    def records_errors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return records_errors_json(self.simulator.datasets.records_errors(user, dataset_uid))

    def act(self, user: User, dataset_uid: str, action: str) -> dict[str, Any]:
        return _job_id(self.simulator.datasets.act(user, dataset_uid, action))

    def list_jobs(self, user: User, ask: Ask = _PLAIN) -> dict[str, Any]:
        r = self.render(ask)
        jobs = [job_json(job, r) for job in self.simulator.datasets.jobs(user)]
        return {"jobs": jobs, "nhits": len(jobs)}

    def get_job(self, user: User, job_id: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return job_json(self.simulator.datasets.job(user, job_id), self.render(ask))

    # resources, files, realtime ---------------------------------------------------------

    def list_resources(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [resource_json(r) for r in self.simulator.resources.list(user, dataset_uid)]

    def get_resource(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        return resource_json(self.simulator.resources.get(user, dataset_uid, resource_uid))

    def create_resource(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.resources.create_resource(
            user, dataset_uid, Body(lambda: read.resource(body))
        )
        return resource_json(made)

    def replace_resource(
        self, user: User, dataset_uid: str, resource_uid: str, body: Any
    ) -> dict[str, Any]:
        replaced = self.simulator.resources.replace_resource(
            user, dataset_uid, resource_uid, Body(lambda: read.resource(body))
        )
        return resource_json(replaced)

    def delete_resource(self, user: User, dataset_uid: str, resource_uid: str) -> None:
        self.simulator.resources.delete_resource(user, dataset_uid, resource_uid)

    def download_resource(self, user: User, dataset_uid: str, resource_uid: str) -> Download:
        return self.simulator.resources.download(user, dataset_uid, resource_uid)

    def upload_file(
        self, user: User, filename: Any, mimetype: str | None, content: bytes, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        stored = self.simulator.files.upload_file(user, filename, mimetype, content)
        return file_json(stored, self.render(ask))

    def list_files(self, user: User, ask: Ask = _PLAIN) -> list[dict[str, Any]]:
        r = self.render(ask)
        return [file_json(f, r) for f in self.simulator.files.files(user)]

    def get_file(self, user: User, file_id: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return file_json(self.simulator.files.file(user, file_id), self.render(ask))

    def download_file(self, user: User, file_id: str) -> Download:
        return self.simulator.files.download_file(user, file_id)

    def push(self, user: User, dataset_uid: str, resource_uid: str, body: Any) -> dict[str, Any]:
        pushed = self.simulator.resources.push(user, dataset_uid, resource_uid, body)
        answer: dict[str, Any] = {
            "status": "OK",
            "records": pushed.records,
            "buffered": pushed.buffered,
        }
        return answer | _job_id(pushed.job)

    def realtime_action(
        self, user: User, dataset_uid: str, resource_uid: str, action: str
    ) -> dict[str, Any]:
        job = self.simulator.resources.realtime_action(user, dataset_uid, resource_uid, action)
        return _job_id(job)

    # attachments and alternative exports (kind: "attachments", "alternative_exports") ----

    def list_attached(self, user: User, dataset_uid: str, kind: str) -> list[dict[str, Any]]:
        found = self.simulator.attachments.attached(user, dataset_uid, kind)
        return [attachment_json(a) for a in found]

    def get_attached(self, user: User, dataset_uid: str, kind: str, uid: str) -> dict[str, Any]:
        found = self.simulator.attachments.attached_one(user, dataset_uid, kind, uid)
        return attachment_json(found)

    def attach(self, user: User, dataset_uid: str, kind: str, body: Any) -> dict[str, Any]:
        uid_key = KINDS[kind].uid_key  # a fetched object may come back with its uid
        made = self.simulator.attachments.attach(
            user, dataset_uid, kind, Body(lambda: read.attachment(body, uid_key))
        )
        return attachment_json(made)

    def attach_upload(
        self,
        user: User,
        dataset_uid: str,
        kind: str,
        filename: Any,
        mimetype: str | None,
        content: bytes,
    ) -> dict[str, Any]:
        made = self.simulator.attachments.attach_upload(
            user, dataset_uid, kind, filename, mimetype, content
        )
        return attachment_json(made)

    def detach(self, user: User, dataset_uid: str, kind: str, uid: str) -> dict[str, Any]:
        self.simulator.attachments.detach(user, dataset_uid, kind, uid)
        return {}

    def download_attached(
        self, user: User, dataset_uid: str, kind: str, uid: str
    ) -> Download | ElsewhereFile:
        return self.simulator.attachments.download(user, dataset_uid, kind, uid)

    # metadata ------------------------------------------------------------------------------

    def list_metadata(
        self, user: User, dataset_uid: str, ask: Ask = _PLAIN
    ) -> list[dict[str, Any]]:
        r = self.render(ask)
        return [
            metadata_json(m, r) for m in self.simulator.configuration.metadata(user, dataset_uid)
        ]

    def get_metadata(
        self, user: User, dataset_uid: str, template: str, name: str, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        found = self.simulator.configuration.metadata_field(user, dataset_uid, template, name)
        return metadata_json(found, self.render(ask))

    def set_metadata(
        self,
        user: User,
        dataset_uid: str,
        template: str,
        name: str,
        body: Any,
        ask: Ask = _PLAIN,
    ) -> dict[str, Any]:
        changed = self.simulator.configuration.set_metadata(
            user,
            dataset_uid,
            template,
            name,
            Body(lambda: read.metadata_value(template, name, body)),
        )
        return metadata_json(changed, self.render(ask))

    def reset_metadata(
        self, user: User, dataset_uid: str, template: str, name: str, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        return metadata_json(
            self.simulator.configuration.reset_metadata(user, dataset_uid, template, name),
            self.render(ask),
        )

    def set_metadata_bulk(
        self, user: User, dataset_uid: str, body: Any, ask: Ask = _PLAIN
    ) -> list[dict[str, Any]]:
        changed = self.simulator.configuration.set_metadata_bulk(
            user, dataset_uid, Body(lambda: read.metadata_bulk(body))
        )
        r = self.render(ask)
        return [metadata_json(m, r) for m in changed]

    # processors ------------------------------------------------------------------------------

    def list_processors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [
            processor_json(p) for p in self.simulator.configuration.processors(user, dataset_uid)
        ]

    def get_processor(self, user: User, dataset_uid: str, processor_uid: str) -> dict[str, Any]:
        return processor_json(
            self.simulator.configuration.processor(user, dataset_uid, processor_uid)
        )

    def create_processor(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.configuration.create_processor(
            user, dataset_uid, Body(lambda: read.processor(body))
        )
        return processor_json(made)

    def replace_processor(
        self, user: User, dataset_uid: str, processor_uid: str, body: Any
    ) -> dict[str, Any]:
        replaced = self.simulator.configuration.replace_processor(
            user, dataset_uid, processor_uid, Body(lambda: read.processor(body))
        )
        return processor_json(replaced)

    def delete_processor(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        self.simulator.configuration.delete_processor(user, dataset_uid, processor_uid)

    # processing: the catalogue, field specifications, previews -------------------------------

    def list_processor_names(self, user: User) -> list[str]:
        return list(self.simulator.processing.processor_names(user))

    def guess_processor_params(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        guessed = self.simulator.processing.guess_processor_params(
            user, dataset_uid, Body(lambda: read.processor_name(body))
        )
        return guess_json(guessed)

    def list_field_specs(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        specs = self.simulator.processing.field_specs(user, dataset_uid)
        return [field_spec_json(f) for f in specs]

    def get_field_spec(self, user: User, dataset_uid: str, processor_uid: str) -> dict[str, Any]:
        return field_spec_json(
            self.simulator.processing.field_spec(user, dataset_uid, processor_uid)
        )

    def create_field_spec(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.processing.create_field_spec(
            user, dataset_uid, Body(lambda: read.field_spec(body))
        )
        return field_spec_json(made)

    def replace_field_spec(
        self, user: User, dataset_uid: str, processor_uid: str, body: Any
    ) -> dict[str, Any]:
        replaced = self.simulator.processing.replace_field_spec(
            user, dataset_uid, processor_uid, Body(lambda: read.field_spec(body))
        )
        return field_spec_json(replaced)

    def delete_field_spec(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        self.simulator.processing.delete_field_spec(user, dataset_uid, processor_uid)

    def preview_resource(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        return preview_json(self.simulator.processing.preview(user, dataset_uid, resource_uid))

    def resource_preview(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        shown = self.simulator.processing.resource_preview(
            user, dataset_uid, Body(lambda: read.resource(body))
        )
        return preview_json(shown)

    # security ------------------------------------------------------------------------------

    def get_access_policy(self, user: User, dataset_uid: str) -> str:
        return self.simulator.security.access_policy(user, dataset_uid)

    def set_access_policy(self, user: User, dataset_uid: str, policy: Any) -> str:
        return self.simulator.security.set_access_policy(
            user, dataset_uid, Body(lambda: read.access_policy(policy))
        )

    def list_rulesets(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [ruleset_json(r) for r in self.simulator.security.rulesets(user, dataset_uid)]

    def get_ruleset(self, user: User, dataset_uid: str, username: str) -> dict[str, Any]:
        return ruleset_json(self.simulator.security.ruleset(user, dataset_uid, username))

    def create_ruleset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.security.create_ruleset(
            user, dataset_uid, Body(lambda: read.ruleset(body))
        )
        return ruleset_json(made)

    def replace_ruleset(
        self, user: User, dataset_uid: str, username: str, body: Any
    ) -> dict[str, Any]:
        replaced = self.simulator.security.replace_ruleset(
            user, dataset_uid, username, Body(lambda: read.ruleset(body, username))
        )
        return ruleset_json(replaced)

    def delete_ruleset(self, user: User, dataset_uid: str, username: str) -> None:
        self.simulator.security.delete_ruleset(user, dataset_uid, username)

    def list_group_rulesets(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        found = self.simulator.security.group_rulesets(user, dataset_uid)
        return [group_ruleset_json(r) for r in found]

    def get_group_ruleset(self, user: User, dataset_uid: str, group_id: str) -> dict[str, Any]:
        found = self.simulator.security.group_ruleset(user, dataset_uid, group_id)
        return group_ruleset_json(found)

    def create_group_ruleset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.security.create_group_ruleset(
            user, dataset_uid, Body(lambda: read.group_ruleset(body))
        )
        return group_ruleset_json(made)

    def replace_group_ruleset(
        self, user: User, dataset_uid: str, group_id: str, body: Any
    ) -> dict[str, Any]:
        replaced = self.simulator.security.replace_group_ruleset(
            user, dataset_uid, group_id, Body(lambda: read.group_ruleset(body, group_id))
        )
        return group_ruleset_json(replaced)

    def delete_group_ruleset(self, user: User, dataset_uid: str, group_id: str) -> None:
        self.simulator.security.delete_group_ruleset(user, dataset_uid, group_id)

    def get_default_security(self, user: User, dataset_uid: str) -> dict[str, Any]:
        return default_security_json(self.simulator.security.default_security(user, dataset_uid))

    def set_default_security(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        changed = self.simulator.security.set_default_security(
            user, dataset_uid, Body(lambda: read.default_security(body))
        )
        return default_security_json(changed)

    def reset_default_security(self, user: User, dataset_uid: str) -> dict[str, Any]:
        reset = self.simulator.security.reset_default_security(user, dataset_uid)
        return default_security_json(reset)

    # history ---------------------------------------------------------------------------------

    def list_changes(self, user: User, dataset_uid: str, ask: Ask = _PLAIN) -> list[dict[str, Any]]:
        changes = self.simulator.configuration.changes(user, dataset_uid)
        return changes_json(changes, dataset_uid, self.render(ask))

    def restore_change(
        self, user: User, dataset_uid: str, body: Any, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        restored = self.simulator.configuration.restore_change(
            user, dataset_uid, Body(lambda: read.change_uid(body))
        )
        return dataset_json(restored, self.render(ask))

    def list_versions(
        self, user: User, dataset_uid: str, ask: Ask = _PLAIN
    ) -> list[dict[str, Any]]:
        r = self.render(ask)
        return [
            version_json(v, r) for v in self.simulator.configuration.versions(user, dataset_uid)
        ]

    # users, groups and API keys ------------------------------------------------------------

    def list_users(
        self, user: User, ask: Ask = _PLAIN, rows: int = 10, page: int = 1
    ) -> dict[str, Any]:
        found = self.simulator.directory.users(user, (page - 1) * rows, rows)
        r = self.render(ask)
        return {
            "users": [person_json(u, r) for u in found.items],
            "rows": rows,
            "page": page,
            "nhits": found.total,
        }

    def invite_users(self, user: User, body: Any) -> dict[str, str]:
        return self.simulator.directory.invite_users(user, Body(lambda: read.invitation(body)))

    def get_user(self, user: User, username: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return person_json(self.simulator.directory.user(user, username), self.render(ask))

    def update_user(
        self, user: User, username: str, body: Any, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        changed = self.simulator.directory.update_user(
            user, username, Body(lambda: read.user_changes(body))
        )
        return person_json(changed, self.render(ask))

    def delete_user(self, user: User, username: str) -> None:
        self.simulator.directory.delete_user(user, username)

    def list_groups(self, user: User, rows: int = 100, page: int = 1) -> list[dict[str, Any]]:
        found = self.simulator.directory.groups(user, (page - 1) * rows, rows)
        return [group_json(g) for g in found]

    def create_group(self, user: User, body: Any) -> dict[str, Any]:
        made = self.simulator.directory.create_group(user, Body(lambda: read.group_changes(body)))
        return new_group_json(made)

    def get_group(self, user: User, group_id: str) -> dict[str, Any]:
        return group_json(self.simulator.directory.group(user, group_id))

    def update_group(self, user: User, group_id: str, body: Any) -> dict[str, Any]:
        changed = self.simulator.directory.update_group(
            user, group_id, Body(lambda: read.group_changes(body))
        )
        return group_json(changed)

    def delete_group(self, user: User, group_id: str) -> dict[str, Any]:
        self.simulator.directory.delete_group(user, group_id)
        return {}

    def list_members(
        self, user: User, group_id: str, rows: int = 10, page: int = 1
    ) -> dict[str, Any]:
        found = self.simulator.directory.members(user, group_id, (page - 1) * rows, rows)
        return {
            "users": [member_json(u) for u in found.items],
            "rows": rows,
            "page": page,
            "nhits": found.total,
        }

    def add_members(self, user: User, group_id: str, body: Any) -> dict[str, str]:
        return self.simulator.directory.add_members(
            user, group_id, Body(lambda: read.members(body))
        )

    def remove_member(self, user: User, group_id: str, username: str) -> None:
        self.simulator.directory.remove_member(user, group_id, username)

    def list_api_keys(self, user: User) -> list[dict[str, Any]]:
        return [api_key_json(k) for k in self.simulator.directory.api_keys(user)]

    def get_api_key(self, user: User, key: str) -> dict[str, Any]:
        return api_key_json(self.simulator.directory.api_key(user, key))

    def create_api_key(self, user: User, body: Any) -> dict[str, Any]:
        made = self.simulator.directory.create_api_key(user, Body(lambda: read.api_key(body)))
        return api_key_json(made)

    def update_api_key(self, user: User, key: str, body: Any) -> dict[str, Any]:
        changed = self.simulator.directory.update_api_key(
            user, key, Body(lambda: read.api_key(body))
        )
        return api_key_json(changed)

    def delete_api_key(self, user: User, key: str) -> None:
        self.simulator.directory.delete_api_key(user, key)

    # harvesters ------------------------------------------------------------------------------

    def list_harvesters(self, user: User) -> list[dict[str, Any]]:
        clock = self.simulator.clock
        return [harvester_json(h, clock) for h in self.simulator.harvesters.listing(user)]

    def get_harvester(self, user: User, harvester_id: str) -> dict[str, Any]:
        found = self.simulator.harvesters.get(user, harvester_id)
        return harvester_json(found, self.simulator.clock)

    def create_harvester(self, user: User, body: Any) -> dict[str, Any]:
        made = self.simulator.harvesters.create_harvester(user, Body(lambda: read.harvester(body)))
        return harvester_json(made, self.simulator.clock)

    def update_harvester(self, user: User, harvester_id: str, body: Any) -> dict[str, Any]:
        changed = self.simulator.harvesters.update_harvester(
            user, harvester_id, Body(lambda: read.harvester(body))
        )
        return harvester_json(changed, self.simulator.clock)

    def delete_harvester(self, user: User, harvester_id: str, delete_datasets: str | None) -> None:
        flag = read.delete_attached(delete_datasets)
        self.simulator.harvesters.delete_harvester(user, harvester_id, flag)

    def harvester_errors(self, user: User, harvester_id: str) -> dict[str, Any]:
        own, resources = self.simulator.harvesters.errors(user, harvester_id)
        return harvester_errors_json(own, resources)

    def harvester_preview(self, user: User, harvester_id: str) -> dict[str, Any]:
        return harvester_preview_json(self.simulator.harvesters.preview(user, harvester_id))

    def act_on_harvester(self, user: User, harvester_id: str, action: str) -> dict[str, Any]:
        harvesters = self.simulator.harvesters
        if action == "start":
            done = harvesters.start_harvester(user, harvester_id)
        else:
            done = harvesters.publish_harvester(user, harvester_id, action)
        return harvester_json(done, self.simulator.clock)

    # the domain and its pages --------------------------------------------------------------

    def get_domain(self, user: User) -> dict[str, Any]:
        return domain_json(self.simulator.pages.domain(user))

    def list_pages(
        self,
        user: User,
        ask: Ask = _PLAIN,
        rows: int = 10,
        page: int = 1,
        search: str = "",
        sort: str | None = None,
    ) -> dict[str, Any]:
        order = parse_page_sort(sort) if sort else ()
        found = self.simulator.pages.listing(user, search, order, (page - 1) * rows, rows)
        r = self.render(ask)
        return {
            "items": [page_json(p, r) for p in found.items],
            "rows": rows,
            "page": page,
            "nhits": found.nhits,
        }

    def get_page(self, user: User, slug: str, ask: Ask = _PLAIN) -> dict[str, Any]:
        return page_json(self.simulator.pages.get(user, slug), self.render(ask))

    def create_page(self, user: User, body: Any, ask: Ask = _PLAIN) -> dict[str, Any]:
        created = self.simulator.pages.create_page(user, Body(lambda: read.page(body)))
        return page_json(created, self.render(ask))

    def update_page(self, user: User, slug: str, body: Any, ask: Ask = _PLAIN) -> dict[str, Any]:
        updated = self.simulator.pages.update_page(user, slug, Body(lambda: read.page(body)))
        return page_json(updated, self.render(ask))

    def delete_page(self, user: User, slug: str) -> None:
        self.simulator.pages.delete_page(user, slug)

    def delete_pages(self, user: User, body: Any, ask: Ask = _PLAIN) -> list[dict[str, Any]]:
        deleted = self.simulator.pages.delete_pages(user, Body(lambda: read.page_slugs(body)))
        r = self.render(ask)
        return [page_json(p, r) for p in deleted]

    # page security ---------------------------------------------------------------------------

    def list_page_rulesets(
        self, user: User, slug: str, kind: str, ask: Ask = _PLAIN
    ) -> list[dict[str, Any]]:
        r = self.render(ask)
        found = self.simulator.page_security.page_rulesets(user, slug, kind)
        return [page_ruleset_json(ruleset, r) for ruleset in found]

    def get_page_ruleset(
        self, user: User, slug: str, kind: str, name: str, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        found = self.simulator.page_security.page_ruleset(user, slug, kind, name)
        return page_ruleset_json(found, self.render(ask))

    def create_page_ruleset(
        self, user: User, slug: str, kind: str, body: Any, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        made = self.simulator.page_security.create_page_ruleset(
            user, slug, kind, Body(lambda: read.page_ruleset(body, kind))
        )
        return page_ruleset_json(made, self.render(ask))

    def replace_page_ruleset(
        self, user: User, slug: str, kind: str, name: str, body: Any, ask: Ask = _PLAIN
    ) -> dict[str, Any]:
        made = self.simulator.page_security.replace_page_ruleset(
            user, slug, kind, name, Body(lambda: read.page_ruleset(body, kind, name))
        )
        return page_ruleset_json(made, self.render(ask))

    def delete_page_ruleset(self, user: User, slug: str, kind: str, name: str) -> None:
        self.simulator.page_security.delete_page_ruleset(user, slug, kind, name)
