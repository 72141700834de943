"""Roles and what each may do. One table, read by the one access-check helper."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STEERING = "steering", _("Provincial steering committee")
    HEALTH = "health", _("Health department / CDC")
    POLICE = "police", _("Police")
    DISTRICT = "district", _("District officer")
    COMMUNE = "commune", _("Commune officer")
    HEALTH_STATION = "health_station", _("Commune health station")
    COMMUNITY = "community", _("Community team member")
    CHECKPOINT = "checkpoint", _("Checkpoint officer")
    LAB = "lab", _("Laboratory")
    FACILITY = "facility", _("Facility staff")


class Perm(models.TextChoices):
    PERSON_VIEW = "person_view", _("View people")
    PERSON_EDIT = "person_edit", _("Create and edit people")
    ABSENT_UPLOAD = "absent_upload", _("Upload absent-citizen lists")
    ABSENT_EXPORT = "absent_export", _("Export absent-citizen lists")
    DUPLICATE_REVIEW = "duplicate_review", _("Review and merge duplicates")
    UNIT_EDIT = "unit_edit", _("Import villages and population")
    AUDIT_VIEW = "audit_view", _("View access and audit logs")
    CASE_VIEW = "case_view", _("View cases, contacts and F levels")
    CASE_EDIT = "case_edit", _("Confirm, rule out and update cases")
    TRACE_EDIT = "trace_edit", _("Record contacts and tracing work")
    INVESTIGATION_MANAGE = "investigation_manage", _("Manage investigations and tracing teams")
    EXPOSURE_PUBLISH = "exposure_publish", _("Publish exposure sites")
    NOTICE_MANAGE = "notice_manage", _("Send and import inter-province notices")
    RULESET_EDIT = "ruleset_edit", _("Adjust rule sets")
    # Testing (issue 4)
    TEST_VIEW = "test_view", _("View samples, test results and campaigns")
    SAMPLE_COLLECT = "sample_collect", _("Take samples and pool them")
    RESULT_ENTER = "result_enter", _("Enter and import laboratory results")
    LAB_MANAGE = "lab_manage", _("Manage laboratories and testing campaigns")
    # Quarantine and isolation (issue 4)
    QUARANTINE_VIEW = "quarantine_view", _("View quarantine facilities and placements")
    QUARANTINE_EDIT = "quarantine_edit", _("Place, check and release people in quarantine")
    FACILITY_MANAGE = "facility_manage", _("Manage quarantine and treatment facilities, rooms and beds")
    # Treatment (issue 4)
    TREATMENT_VIEW = "treatment_view", _("View treatment facilities, beds and patients")
    TREATMENT_EDIT = "treatment_edit", _("Admit, transfer and discharge patients; home care")
    # Community COVID teams (issue 4)
    COMMUNITY_VIEW = "community_view", _("View community teams and their watch lists")
    COMMUNITY_VISIT = "community_visit", _("Record community team visits")
    COMMUNITY_MANAGE = "community_manage", _("Manage community teams and members")
    COMMUNITY_FINDING_HANDLE = "community_finding_handle", _("Handle what community teams found")
    # Arrivals (issue 5)
    DECLARATION_VIEW = "declaration_view", _("View medical declarations and arrivals")
    DECLARATION_REVIEW = "declaration_review", _("Handle declaration flags and confirm arrivals")
    CHECKPOINT_OPERATE = "checkpoint_operate", _("Check people and vehicles at a checkpoint")
    CHECKPOINT_MANAGE = "checkpoint_manage", _("Manage checkpoints and shifts")
    VENUE_MANAGE = "venue_manage", _("Register venues for check-ins")
    VIOLATION_RECORD = "violation_record", _("Record violations")


_ALL = frozenset(Perm)

_TRACING = {Perm.CASE_VIEW, Perm.TRACE_EDIT}
_CARE_VIEW = {Perm.TEST_VIEW, Perm.QUARANTINE_VIEW, Perm.TREATMENT_VIEW, Perm.COMMUNITY_VIEW}
# Issue 5: who sees and handles arrivals. Added to the role table below by ``_ARRIVALS``.
_ARRIVALS: dict[Role, set[Perm]] = {
    Role.STEERING: {Perm.DECLARATION_VIEW},
    Role.HEALTH: {Perm.DECLARATION_VIEW, Perm.DECLARATION_REVIEW, Perm.CHECKPOINT_MANAGE, Perm.VENUE_MANAGE},
    Role.POLICE: {
        Perm.DECLARATION_VIEW,
        Perm.CHECKPOINT_OPERATE,
        Perm.CHECKPOINT_MANAGE,
        Perm.VIOLATION_RECORD,
    },
    Role.DISTRICT: {
        Perm.DECLARATION_VIEW,
        Perm.DECLARATION_REVIEW,
        Perm.CHECKPOINT_MANAGE,
        Perm.VENUE_MANAGE,
        Perm.VIOLATION_RECORD,
    },
    Role.COMMUNE: {Perm.DECLARATION_VIEW, Perm.DECLARATION_REVIEW, Perm.VENUE_MANAGE, Perm.VIOLATION_RECORD},
    Role.HEALTH_STATION: {Perm.DECLARATION_VIEW, Perm.DECLARATION_REVIEW},
    Role.COMMUNITY: {Perm.VIOLATION_RECORD},
    Role.CHECKPOINT: {Perm.CHECKPOINT_OPERATE, Perm.VIOLATION_RECORD},
}

ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: _ALL,
    Role.STEERING: frozenset({Perm.PERSON_VIEW, Perm.ABSENT_EXPORT, Perm.CASE_VIEW, *_CARE_VIEW}),
    Role.HEALTH: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
            Perm.DUPLICATE_REVIEW,
            Perm.ABSENT_EXPORT,
            *_TRACING,
            Perm.CASE_EDIT,
            Perm.INVESTIGATION_MANAGE,
            Perm.EXPOSURE_PUBLISH,
            Perm.NOTICE_MANAGE,
            Perm.RULESET_EDIT,
            *_CARE_VIEW,
            Perm.SAMPLE_COLLECT,
            Perm.RESULT_ENTER,
            Perm.LAB_MANAGE,
            Perm.QUARANTINE_EDIT,
            Perm.FACILITY_MANAGE,
            Perm.TREATMENT_EDIT,
            Perm.COMMUNITY_MANAGE,
            Perm.COMMUNITY_FINDING_HANDLE,
        }
    ),
    Role.POLICE: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
            Perm.ABSENT_UPLOAD,
            Perm.ABSENT_EXPORT,
            Perm.DUPLICATE_REVIEW,
            *_TRACING,
            Perm.INVESTIGATION_MANAGE,
            Perm.NOTICE_MANAGE,
            Perm.QUARANTINE_VIEW,
            Perm.COMMUNITY_VIEW,
        }
    ),
    Role.DISTRICT: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
            Perm.ABSENT_UPLOAD,
            Perm.ABSENT_EXPORT,
            Perm.DUPLICATE_REVIEW,
            Perm.UNIT_EDIT,
            *_TRACING,
            Perm.CASE_EDIT,
            Perm.INVESTIGATION_MANAGE,
            *_CARE_VIEW,
            Perm.SAMPLE_COLLECT,
            Perm.QUARANTINE_EDIT,
            Perm.FACILITY_MANAGE,
            Perm.COMMUNITY_MANAGE,
            Perm.COMMUNITY_FINDING_HANDLE,
        }
    ),
    Role.COMMUNE: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
            Perm.ABSENT_UPLOAD,
            Perm.DUPLICATE_REVIEW,
            Perm.UNIT_EDIT,
            *_TRACING,
            *_CARE_VIEW,
            Perm.QUARANTINE_EDIT,
            Perm.COMMUNITY_MANAGE,
            Perm.COMMUNITY_FINDING_HANDLE,
            Perm.COMMUNITY_VISIT,
        }
    ),
    Role.HEALTH_STATION: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
            *_TRACING,
            *_CARE_VIEW,
            Perm.SAMPLE_COLLECT,
            Perm.QUARANTINE_EDIT,
            Perm.TREATMENT_EDIT,
            Perm.COMMUNITY_VISIT,
            Perm.COMMUNITY_FINDING_HANDLE,  # symptoms a team found: the station takes the sample
        }
    ),
    Role.COMMUNITY: frozenset({Perm.PERSON_VIEW, Perm.ABSENT_UPLOAD, Perm.COMMUNITY_VIEW, Perm.COMMUNITY_VISIT}),
    Role.CHECKPOINT: frozenset({Perm.PERSON_VIEW, Perm.ABSENT_EXPORT, Perm.TEST_VIEW, Perm.SAMPLE_COLLECT}),
    Role.LAB: frozenset({Perm.PERSON_VIEW, Perm.TEST_VIEW, Perm.RESULT_ENTER}),
    Role.FACILITY: frozenset(
        {
            Perm.PERSON_VIEW,
            Perm.CASE_VIEW,
            Perm.TEST_VIEW,
            Perm.SAMPLE_COLLECT,
            Perm.QUARANTINE_VIEW,
            Perm.QUARANTINE_EDIT,
            Perm.TREATMENT_VIEW,
            Perm.TREATMENT_EDIT,
        }
    ),
}


ROLE_PERMS = {role: perms | _ARRIVALS.get(role, set()) for role, perms in ROLE_PERMS.items()}


def role_has(role: str, perm: Perm) -> bool:
    try:
        return perm in ROLE_PERMS[Role(role)]
    except ValueError:
        return False
