"""Templates and their versions (head office). Only a draft changes; publishing retires
the previous version; editing a published template makes a new draft copy."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.roles import Role
from stores.access import ensure_role

from ..models import ChecklistTemplate, TemplateItem, TemplateSection, TemplateVersion

TEMPLATE_EDITORS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
# The code of a refusal caused by a record's current state, not by the input (a run
# already submitted, a version no longer a draft, a code taken): the API answers 409.
CONFLICT = "conflict"


def _ensure_draft(version: TemplateVersion) -> None:
    """Checked against the database (and locked): a stale in-memory draft is no excuse."""
    current = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    version.status = current.status
    if current.status != TemplateVersion.Status.DRAFT:
        raise ValidationError(
            _("Only a draft changes. Edit the template to make a new draft version."),
            code=CONFLICT,
        )


@transaction.atomic
def template_create(
    *, user, code: str, name: str, name_zh: str = "", kind: str = "checklist"
) -> ChecklistTemplate:
    """A new template with an empty draft version 1."""
    ensure_role(user, TEMPLATE_EDITORS)
    code = (code or "").strip().lower()
    if not code or not (name or "").strip():
        raise ValidationError(_("A template needs a code and a name."))
    if kind not in ChecklistTemplate.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    taken = ValidationError(
        {"code": [ValidationError(_("A template with this code exists already."), code=CONFLICT)]}
    )
    if ChecklistTemplate.objects.filter(code=code).exists():
        raise taken
    template = ChecklistTemplate(code=code, name=name.strip(), name_zh=name_zh.strip(), kind=kind)
    template.full_clean()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # the same code created by another request since the check
        raise taken from None
    TemplateVersion.objects.create(template=template, number=1)
    return template


@transaction.atomic
def template_draft_get_or_create(*, user, template: ChecklistTemplate) -> TemplateVersion:
    """The template's draft: the existing one, or a copy of the newest version."""
    ensure_role(user, TEMPLATE_EDITORS)
    # Lock the template: two editors pressing "edit" at once get the same draft.
    ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    draft = template.versions.filter(status=TemplateVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    source = template.versions.order_by("-number").first()
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = TemplateVersion.objects.create(template=template, number=number)
    if source is not None:
        _copy_contents(source, draft)
    return draft


def _copy_contents(source: TemplateVersion, target: TemplateVersion) -> None:
    sections = list(source.sections.order_by("order", "pk"))
    copies = TemplateSection.objects.bulk_create(
        TemplateSection(version=target, title=s.title, title_zh=s.title_zh, order=s.order)
        for s in sections
    )
    new_section = {old.pk: new for old, new in zip(sections, copies, strict=True)}
    items = []
    for item in TemplateItem.objects.filter(version=source).order_by("pk"):
        item.pk = None
        item.version = target
        item.section = new_section[item.section_id]
        items.append(item)
    TemplateItem.objects.bulk_create(items)


@transaction.atomic
def template_section_add(
    *, user, version: TemplateVersion, title: str, title_zh: str = "", order: int | None = None
) -> TemplateSection:
    ensure_role(user, TEMPLATE_EDITORS)
    _ensure_draft(version)
    if not (title or "").strip():
        raise ValidationError({"title": [_("A section needs a title.")]})
    if order is None:
        order = (version.sections.aggregate(n=Max("order"))["n"] or 0) + 1
    return TemplateSection.objects.create(
        version=version, title=title.strip(), title_zh=(title_zh or "").strip(), order=order
    )


def _clean_options(options) -> list[dict]:
    cleaned, seen = [], set()
    for option in options or []:
        if isinstance(option, str):
            option = {"value": option, "label": option}
        if not isinstance(option, dict):
            raise ValidationError({"options": [_("Each option needs a value and a label.")]})
        # JSON in PostgreSQL refuses NUL characters: drop them rather than fail.
        value = str(option.get("value") or "").replace("\x00", "").strip()[:64]
        label = str(option.get("label") or value).replace("\x00", "").strip()
        if not value or value in seen:
            raise ValidationError({"options": [_("Options need distinct, non-empty values.")]})
        seen.add(value)
        cleaned.append(
            {
                "value": value,
                "label": label,
                "label_zh": str(option.get("label_zh") or "").replace("\x00", "").strip(),
                "fails": bool(option.get("fails", False)),
            }
        )
    if len(cleaned) < 2:
        raise ValidationError({"options": [_("A single-choice item needs at least two options.")]})
    return cleaned


@transaction.atomic
def template_item_add(
    *,
    user,
    section: TemplateSection,
    kind: str,
    prompt: str,
    prompt_zh: str = "",
    instructions: str = "",
    instructions_zh: str = "",
    points: int = 1,
    critical: bool = False,
    required: bool = True,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    unit: str = "",
    options=None,
    order: int | None = None,
) -> TemplateItem:
    ensure_role(user, TEMPLATE_EDITORS)
    version = section.version
    _ensure_draft(version)
    if kind not in TemplateItem.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    if not (prompt or "").strip():
        raise ValidationError({"prompt": [_("An item needs a prompt.")]})
    scored = kind in TemplateItem.SCORED_KINDS
    if critical and not scored:
        raise ValidationError(
            {"critical": [_("Only yes/no, number and single-choice items can be critical.")]}
        )
    if kind == TemplateItem.Kind.NUMBER:
        if min_value is None and max_value is None:
            raise ValidationError({"min_value": [_("A number item needs a minimum or maximum.")]})
        if min_value is not None and max_value is not None and max_value < min_value:
            raise ValidationError({"max_value": [_("The maximum is below the minimum.")]})
    else:
        min_value = max_value = None
    options = _clean_options(options) if kind == TemplateItem.Kind.SINGLE_CHOICE else []
    if order is None:
        order = (section.items.aggregate(n=Max("order"))["n"] or 0) + 1
    item = TemplateItem(
        section=section,
        version=version,
        kind=kind,
        prompt=prompt.strip(),
        prompt_zh=(prompt_zh or "").strip(),
        instructions=(instructions or "").strip(),
        instructions_zh=(instructions_zh or "").strip(),
        points=points if scored else 0,
        critical=critical,
        required=required,
        min_value=min_value,
        max_value=max_value,
        unit=(unit or "").strip(),
        options=options,
        order=order,
    )
    item.full_clean(exclude=["section", "version"])
    item.save()
    return item


@transaction.atomic
def template_item_delete(*, user, item: TemplateItem) -> None:
    ensure_role(user, TEMPLATE_EDITORS)
    _ensure_draft(item.version)
    item.delete()


@transaction.atomic
def template_version_publish(*, user, version: TemplateVersion) -> TemplateVersion:
    """Publish a draft; the previously published version is retired (its runs stay)."""
    ensure_role(user, TEMPLATE_EDITORS)
    version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    _ensure_draft(version)
    if not version.items.exists():
        raise ValidationError(
            _("A version needs at least one item before it is published."), code=CONFLICT
        )
    TemplateVersion.objects.filter(
        template_id=version.template_id, status=TemplateVersion.Status.PUBLISHED
    ).update(status=TemplateVersion.Status.RETIRED)
    version.status = TemplateVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    try:
        version.save(update_fields=["status", "published_at", "published_by"])
    except IntegrityError:  # pragma: no cover - the row lock makes this unreachable
        raise ValidationError(
            _("Another version was published at the same time."), code=CONFLICT
        ) from None
    return version
