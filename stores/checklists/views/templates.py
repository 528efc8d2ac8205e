"""Checklist templates: list, create, edit, versions, sections, items, publish."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin, user_role

from .. import selectors, services
from ..forms import (
    ItemForm,
    SectionForm,
    TemplateForm,
)
from ..models import TemplateItem, TemplateVersion
from .common import _messages


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
