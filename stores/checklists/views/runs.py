"""Today's runs, filling a run, its detail, submit, reopen, acknowledge, audits and photos."""

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

from stores.access import ScopedPageMixin, user_role
from stores.models import Store

from .. import selectors, services
from ..forms import (
    AcknowledgeForm,
    AnswerForm,
    AuditStartForm,
    ReasonForm,
)
from ..models import TemplateItem
from ..services.runs import REOPEN_ROLES, can_acknowledge, can_fill, can_reopen
from .common import _messages


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
