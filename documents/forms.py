from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from client_requests.services.rules import TEXT_MAX_LENGTH, TEXT_TOO_LONG
from client_requests.uploads import CheckedFile, check_upload
from documents.models import ContractDocument

WHOLE_CONTRACT = "contrat"


class DuplicateRequestForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Document souhaité"),
        widget=forms.RadioSelect,
        initial=WHOLE_CONTRACT,
    )
    message = forms.CharField(
        label=_("Message à la banque"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Précisez par exemple le nombre d’exemplaires ou l’adresse d’envoi."),
    )

    def __init__(self, *args: object, documents: list[ContractDocument], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.documents = {str(document.pk): document for document in documents}
        choices: list[tuple[str, str]] = [(WHOLE_CONTRACT, str(_("Le contrat complet")))]
        choices += [(key, document.title) for key, document in self.documents.items()]
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = choices

    def chosen_document(self) -> ContractDocument | None:
        return self.documents.get(self.cleaned_data["subject"])


class ContractDocumentAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Support's upload: PDF, JPEG or PNG recognised from the content, within the size limit."""

    class Meta:
        model = ContractDocument
        fields = ("contract", "title", "kind", "file")

    checked: CheckedFile | None = None

    def clean_file(self) -> object:
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "content_type"):
            try:
                self.checked = check_upload(upload)
            except ValidationError as error:
                raise forms.ValidationError(error.messages, code=error.code) from None
        return upload
