"""Checklist pages: call selectors and services, render templates/checklists/*.

Every view is scoped (ScopedPageMixin: login, role, out of scope = 404). A service's
ValidationError re-renders the page with the message (400); htmx row updates always
answer 200 with the row, so the message shows in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from stores.access import ScopedPageMixin, user_role
from stores.models import Store
from stores.selectors import latest_local_date

from . import selectors, services
from .filters import CorrectiveActionFilterSet
from .forms import (
    AcknowledgeForm,
    ActionUpdateForm,
    AnswerForm,
    AuditStartForm,
    ItemForm,
    ReasonForm,
    SectionForm,
    TemplateForm,
)
from .models import TemplateItem, TemplateVersion
from .services.runs import REOPEN_ROLES, can_acknowledge, can_fill, can_reopen

COMPARISON_ROLES = frozenset({"regional_ops", "head_office", "admin"})


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- Today, run fill, run detail -------------------------------------------------------


class TodayView(ScopedPageMixin, View):
    def get(self, request):
        groups = selectors.runs_today(user=request.user)
        can_audit = user_role(request.user) in services.AUDIT_ROLES
        return render(
            request,
            "checklists/today.html",
            {"groups": groups, "now": timezone.now(), "can_audit": can_audit},
        )


def _fill_context(request, run, *, errors=None, missing=(), saved=None):
    sheet, score = selectors.run_sheet(run)
    return {
        "run": run,
        "sheet": sheet,
        "score": score,
        "errors": errors or {},
        "missing": set(missing),
        "saved": saved,
        "answered": sum(1 for s in sheet for r in s.rows if r.answer is not None),
        "total": sum(len(s.rows) for s in sheet),
    }


class RunFillView(ScopedPageMixin, View):
    def get(self, request, pk):
        run = selectors.run_get(user=request.user, pk=pk)
        if not can_fill(request.user, run):
            return redirect("checklists:run_detail", pk=run.pk)
        return render(request, "checklists/run_fill.html", _fill_context(request, run))


class RunDetailView(ScopedPageMixin, View):
    def get(self, request, pk):
        run = selectors.run_get(user=request.user, pk=pk)
        sheet, score = selectors.run_sheet(run)
        return render(
            request,
            "checklists/run_detail.html",
            {
                "run": run,
                "sheet": sheet,
                "score": score,
                "can_fill": can_fill(request.user, run),
                "can_reopen": can_reopen(request.user, run),
                "can_acknowledge": can_acknowledge(request.user, run),
                "reason_form": ReasonForm(),
                "ack_form": AcknowledgeForm(),
            },
        )


class AnswerSaveView(ScopedPageMixin, View):
    """POST one item's answer. htmx: the row comes back in place; plain form: redirect."""

    http_method_names = ["post"]

    def post(self, request, pk, item):
        run = selectors.run_get(user=request.user, pk=pk)
        item_obj = TemplateItem.objects.filter(pk=item, version_id=run.version_id).first()
        if item_obj is None:
            raise Http404
        form = AnswerForm(request.POST, request.FILES)
        error = None
        answer = None
        if not form.is_valid():
            error = [_("Check the answer.")]
        else:
            try:
                answer = self._save(request, run, item_obj, form)
            except ValidationError as exc:
                error = _messages(exc)
        if request.htmx:
            if answer is None:
                answer = run.answers.filter(item=item_obj).select_related("photo").first()
            context = {"run": run, "item": item_obj, "answer": answer, "error": error}
            context["saved"] = error is None
            context["editable"] = True
            return render(request, "checklists/_item_row.html", context)
        if error:
            run = selectors.run_get(user=request.user, pk=pk)
            context = _fill_context(request, run, errors={item_obj.pk: error})
            return render(request, "checklists/run_fill.html", context, status=400)
        return redirect(reverse("checklists:run_fill", kwargs={"pk": run.pk}) + f"#item-{item}")

    @staticmethod
    def _save(request, run, item, form):
        kwargs = form.answer_kwargs()
        upload = form.cleaned_data.get("photo")
        with transaction.atomic():
            photo = None
            if upload and not kwargs["not_applicable"]:
                if not run.editable:
                    raise ValidationError(_("This run can no longer change."))
                photo = services.photo_create(
                    user=request.user, store=run.store, run=run, upload=upload
                )
            elif item.kind == TemplateItem.Kind.PHOTO and not kwargs["not_applicable"]:
                current = run.answers.filter(item=item).first()
                photo = current.photo if current else None
            return services.answer_save(
                user=request.user, run=run, item=item, photo=photo, **kwargs
            )


class RunSubmitView(ScopedPageMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        run = selectors.run_get(user=request.user, pk=pk)
        try:
            services.run_submit(user=request.user, run=run)
        except services.MissingRequiredItems as exc:
            run = selectors.run_get(user=request.user, pk=pk)
            context = _fill_context(request, run, missing=[i.pk for i in exc.items])
            context["missing_items"] = exc.items
            return render(request, "checklists/run_fill.html", context, status=400)
        except ValidationError as exc:
            context = _fill_context(request, run)
            context["submit_errors"] = _messages(exc)
            return render(request, "checklists/run_fill.html", context, status=400)
        messages.success(request, _("Submitted. Thank you!"))
        return redirect("checklists:run_detail", pk=run.pk)


class RunReopenView(ScopedPageMixin, View):
    http_method_names = ["post"]
    allowed_roles = REOPEN_ROLES

    def post(self, request, pk):
        run = selectors.run_get(user=request.user, pk=pk)
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Say why the run is reopened."))
            services.run_reopen(user=request.user, run=run, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            return _detail_with_errors(request, run, exc)
        messages.success(request, _("Reopened."))
        return redirect("checklists:run_fill", pk=run.pk)


class RunAcknowledgeView(ScopedPageMixin, View):
    http_method_names = ["post"]
    allowed_roles = frozenset({"store_manager", "admin"})

    def post(self, request, pk):
        run = selectors.run_get(user=request.user, pk=pk)
        form = AcknowledgeForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.run_acknowledge(user=request.user, run=run, note=note)
        except ValidationError as exc:
            return _detail_with_errors(request, run, exc)
        messages.success(request, _("Audit acknowledged."))
        return redirect("checklists:run_detail", pk=run.pk)


def _detail_with_errors(request, run, exc):
    run = selectors.run_get(user=request.user, pk=run.pk)
    sheet, score = selectors.run_sheet(run)
    context = {
        "run": run,
        "sheet": sheet,
        "score": score,
        "can_fill": can_fill(request.user, run),
        "can_reopen": can_reopen(request.user, run),
        "can_acknowledge": can_acknowledge(request.user, run),
        "reason_form": ReasonForm(),
        "ack_form": AcknowledgeForm(),
        "action_errors": _messages(exc),
    }
    return render(request, "checklists/run_detail.html", context, status=400)


class AuditStartView(ScopedPageMixin, View):
    allowed_roles = services.AUDIT_ROLES

    def _form(self, request, data=None):
        return AuditStartForm(
            data,
            stores=Store.objects.visible_to(request.user).order_by("code"),
            templates=selectors.published_audit_templates(user=request.user),
        )

    def get(self, request):
        initial = {"store": request.GET.get("store")} if request.GET.get("store") else None
        form = self._form(request)
        if initial:
            form.initial.update(initial)
        return render(request, "checklists/audit_start.html", {"form": form})

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                run = services.audit_start(
                    user=request.user,
                    store=form.cleaned_data["store"],
                    template=form.cleaned_data["template"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("checklists:run_fill", pk=run.pk)
        return render(request, "checklists/audit_start.html", {"form": form}, status=400)


# --- Photos: only through this scoped view --------------------------------------------------


class PhotoView(ScopedPageMixin, View):
    thumbnail = False

    def get(self, request, pk):
        photo = selectors.photo_get(user=request.user, pk=pk)
        try:
            handle = services.photo_open(photo, thumbnail=self.thumbnail)
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.jpg"'
        return response


# --- Corrective actions ---------------------------------------------------------------------


class ActionListView(ScopedPageMixin, ListView):
    template_name = "checklists/action_list.html"
    selector = staticmethod(selectors.action_list)
    paginate_by = 50
    context_object_name = "actions"

    def get_queryset(self):
        self.filterset = CorrectiveActionFilterSet(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return ["checklists/_action_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["today"] = timezone.now().date()
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class ActionDetailView(ScopedPageMixin, View):
    def _render(self, request, action, form=None, status=200, errors=None):
        return render(
            request,
            "checklists/action_detail.html",
            {
                "action": action,
                "form": form
                or ActionUpdateForm(initial={"status": action.status, "note": action.note}),
                "errors": errors or [],
                "today": timezone.now().date(),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, selectors.action_get(user=request.user, pk=pk))

    def post(self, request, pk):
        action = selectors.action_get(user=request.user, pk=pk)
        form = ActionUpdateForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, action, form, status=400)
        try:
            with transaction.atomic():
                evidence = None
                if form.cleaned_data.get("evidence"):
                    evidence = services.photo_create(
                        user=request.user,
                        store=action.store,
                        run=None,
                        upload=form.cleaned_data["evidence"],
                    )
                services.corrective_action_update(
                    user=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    evidence=evidence,
                )
        except ValidationError as exc:
            return self._render(request, action, form, status=400, errors=_messages(exc))
        messages.success(request, _("Saved."))
        return redirect("checklists:action_detail", pk=action.pk)


# --- Region comparison ------------------------------------------------------------------------


class RegionComparisonView(ScopedPageMixin, View):
    allowed_roles = COMPARISON_ROLES

    def get(self, request):
        rows = selectors.region_comparison(user=request.user)
        until = latest_local_date({store.time_zone for store in rows})
        return render(
            request,
            "checklists/region_comparison.html",
            {
                "rows": rows,
                "until": until,
                "failed_items": selectors.most_failed_items(user=request.user, until=until),
            },
        )


# --- Template editor (head office) --------------------------------------------------------


class TemplateListView(ScopedPageMixin, View):
    def get(self, request):
        templates = selectors.template_list(user=request.user)
        can_edit = user_role(request.user) in services.TEMPLATE_EDITORS
        return render(
            request,
            "checklists/template_list.html",
            {"templates": templates, "can_edit": can_edit},
        )


class TemplateCreateView(ScopedPageMixin, View):
    allowed_roles = services.TEMPLATE_EDITORS

    def get(self, request):
        return render(request, "checklists/template_create.html", {"form": TemplateForm()})

    def post(self, request):
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                template = services.template_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                draft = template.versions.get()
                return redirect("checklists:version_edit", pk=draft.pk)
        return render(request, "checklists/template_create.html", {"form": form}, status=400)


class TemplateDetailView(ScopedPageMixin, View):
    def get(self, request, pk):
        template = selectors.template_get(user=request.user, pk=pk)
        versions = {v.status: v for v in template.current_versions}
        published = versions.get(TemplateVersion.Status.PUBLISHED)
        if published is not None:
            published = selectors.version_get(user=request.user, pk=published.pk)
        return render(
            request,
            "checklists/template_detail.html",
            {
                "template": template,
                "published": published,
                "draft": versions.get(TemplateVersion.Status.DRAFT),
                "can_edit": user_role(request.user) in services.TEMPLATE_EDITORS,
            },
        )


class TemplateEditView(ScopedPageMixin, View):
    """POST: open the draft (copying the published version when there is none)."""

    http_method_names = ["post"]
    allowed_roles = services.TEMPLATE_EDITORS

    def post(self, request, pk):
        template = selectors.template_get(user=request.user, pk=pk)
        draft = services.template_draft_get_or_create(user=request.user, template=template)
        return redirect("checklists:version_edit", pk=draft.pk)


class VersionEditView(ScopedPageMixin, View):
    allowed_roles = services.TEMPLATE_EDITORS

    def render_editor(
        self, request, version, *, status=200, section_form=None, item_form=None, errors=None
    ):
        sections = list(version.sections.all())
        return render(
            request,
            "checklists/version_edit.html",
            {
                "version": version,
                "sections": sections,
                "section_form": section_form or SectionForm(),
                "item_form": item_form or ItemForm(sections=sections),
                "errors": errors or [],
            },
            status=status,
        )

    def get(self, request, pk):
        version = selectors.version_get(user=request.user, pk=pk)
        if version.status != TemplateVersion.Status.DRAFT:
            return redirect("checklists:template_detail", pk=version.template_id)
        return self.render_editor(request, version)


class _VersionAction(VersionEditView):
    http_method_names = ["post"]

    def post(self, request, pk, **kwargs):
        version = selectors.version_get(user=request.user, pk=pk)
        try:
            result = self.act(request, version, **kwargs)
        except _FormInvalid as invalid:
            return self.render_editor(request, version, status=400, **invalid.forms)
        except ValidationError as exc:
            return self.render_editor(request, version, status=400, errors=_messages(exc))
        return result or redirect("checklists:version_edit", pk=version.pk)


class _FormInvalid(Exception):
    def __init__(self, **forms):
        self.forms = forms


class SectionAddView(_VersionAction):
    def act(self, request, version):
        form = SectionForm(request.POST)
        if not form.is_valid():
            raise _FormInvalid(section_form=form)
        services.template_section_add(user=request.user, version=version, **form.cleaned_data)


class ItemAddView(_VersionAction):
    def act(self, request, version):
        sections = {s.pk: s for s in version.sections.all()}
        form = ItemForm(request.POST, sections=sections.values())
        if not form.is_valid():
            raise _FormInvalid(item_form=form)
        section = sections[form.cleaned_data["section"]]
        services.template_item_add(user=request.user, section=section, **form.item_kwargs())


class ItemDeleteView(_VersionAction):
    def act(self, request, version, item):
        item_obj = TemplateItem.objects.filter(pk=item, version=version).first()
        if item_obj is None:
            raise Http404
        services.template_item_delete(user=request.user, item=item_obj)


class VersionPublishView(_VersionAction):
    def act(self, request, version):
        services.template_version_publish(user=request.user, version=version)
        messages.success(request, _("Published. New runs use this version."))
        return redirect("checklists:template_detail", pk=version.template_id)
