"""The follow-up page's filters, and what a member does on a request: complete, attach, review."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from client_requests.forms.fields import OptionsSelect
from client_requests.kinds import AttachmentPurpose, RequestKind, RequestStatus
from client_requests.services import NewFile
from client_requests.services.rules import (
    MAX_FILES,
    SUBJECT_MAX_LENGTH,
    SUBJECT_REQUIRED,
    TEXT_MAX_LENGTH,
    TEXT_TOO_LONG,
    member_file_purposes,
    too_many_files_refusal,
)
from client_requests.uploads import ACCEPTED_TYPES, check_upload, size_label

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def upload_hint(*, several: bool = True) -> str:
    values = {
        "types": ", ".join(ACCEPTED_TYPES.values()),
        "size": size_label(settings.UPLOAD_MAX_BYTES),
        "count": MAX_FILES,
    }
    if not several:
        return _("Formats acceptés : %(types)s ; %(size)s maximum.") % values
    return (
        _(
            "Formats acceptés : %(types)s ; %(size)s maximum par fichier, %(count)s fichiers au plus."
        )
        % values
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SupportingFilesField(forms.FileField):
    """Several files at once, each checked from its content (type, size, readable)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[UploadedFile, Any]]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if refusal := too_many_files_refusal(len(uploads)):
            raise ValidationError(refusal.message, code="too_many")
        checked = []
        errors: list[str] = []
        for upload in uploads:
            try:
                checked.append((upload, check_upload(upload)))
            except ValidationError as error:
                errors.extend(f"{upload.name} : {message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


def new_files(cleaned: list[tuple[UploadedFile, Any]], purpose: str) -> list[NewFile]:
    return [
        NewFile(upload=upload, checked=checked, purpose=AttachmentPurpose(purpose))
        for upload, checked in cleaned
    ]


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Statut"),
        required=False,
        choices=[("", gettext_lazy("Tous les statuts")), *RequestStatus.choices],
        widget=OptionsSelect,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type de demande"),
        required=False,
        choices=[("", gettext_lazy("Tous les types")), *RequestKind.choices],
        widget=OptionsSelect,
    )


class DraftForm(forms.Form):
    """Complete a draft: its subject (company requests), its message, more documents."""

    SAVE = "save"
    SUBMIT = "submit"

    # the limits and messages of client_requests.services.rules.texts, which the service checks
    subject = forms.CharField(
        label=gettext_lazy("Objet"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": SUBJECT_REQUIRED, "max_length": TEXT_TOO_LONG},
    )
    message = forms.CharField(
        label=gettext_lazy("Message à la banque"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("Nature des documents joints"),
        initial=AttachmentPurpose.SUPPORTING,
        widget=forms.RadioSelect,
    )
    documents = SupportingFilesField(label=gettext_lazy("Documents à joindre"))

    def __init__(self, *args: Any, kind: str, has_subject: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = upload_hint()
        if not has_subject:
            del self.fields["subject"]
        purposes = member_file_purposes(kind)
        if len(purposes) > 1:
            purpose = self.fields["purpose"]
            assert isinstance(purpose, forms.ChoiceField)
            purpose.choices = [(p.value, p.label) for p in purposes]
        else:
            del self.fields["purpose"]

    @property
    def submitting(self) -> bool:
        return self.data.get("action") == self.SUBMIT

    def files_to_store(self) -> list[NewFile]:
        purpose = self.cleaned_data.get("purpose") or AttachmentPurpose.SUPPORTING
        return new_files(self.cleaned_data.get("documents") or [], purpose)


class DraftReviewForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        choices=[(APPROVE, gettext_lazy("Approuver")), (RETURN, gettext_lazy("Renvoyer"))],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=gettext_lazy("Commentaire pour la banque"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire pour renvoyer le projet : dites ce qui doit changer."),
    )

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE
