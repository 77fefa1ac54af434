"""The fields of the request forms, each written in one step.

`{% form_field form.iban %}` writes what `{% include "portal/_form_field.html" with field=… %}`
writes (label, help text, errors, widget; the same ids, `for` and aria attributes), and
`{% form_fields form %}` every field of a form in order, without an included template per field
nor one per widget, radio button and attribute list. A widget this module does not know (or one
with its own `render`) is rendered by Django as before.
"""

from collections.abc import Callable
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_WIDGETS = "django/forms/widgets/"


def _text(value: Any) -> str:
    """What `{{ value }}` writes."""
    return str(conditional_escape(value))


def _formatted(value: Any) -> str:
    """What `{{ value|stringformat:'s' }}` writes."""
    return str(value) if isinstance(value, SafeData) else str(conditional_escape(str(value)))


def _attrs(attrs: dict[str, Any]) -> str:
    """What "django/forms/widgets/attrs.html" writes."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """ "django/forms/widgets/input.html", with the file's closing newline."""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(option: dict[str, Any]) -> str:
    """ "django/forms/widgets/input_option.html" (a radio button or a checkbox of a list)."""
    if not option.get("wrap_label"):
        return f"{_input(option)}\n"
    option_id = option["attrs"].get("id")
    target = f' for="{_text(option_id)}"' if option_id else ""
    return f"<label{target}>{_input(option)} {_text(option['label'])}</label>\n"


def _multiple_input(widget: dict[str, Any]) -> str:
    """ "django/forms/widgets/multiple_input.html" (radio buttons, checkboxes)."""
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_text(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            if option["template_name"] not in _OPTIONS:
                return ""
            parts.append(f"<div>\n    {_input_option(option)}\n</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'


def _clearable_file_input(widget: dict[str, Any]) -> str:
    """Without a current file (the request forms'): a newline, then the file input."""
    if widget["is_initial"]:
        return ""
    return (
        f'\n<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{_attrs(widget['attrs'])}>\n"
    )


_OPTIONS = {f"{_WIDGETS}radio_option.html", f"{_WIDGETS}checkbox_option.html"}

_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{
        f"{_WIDGETS}{name}.html": _input
        for name in (
            "input",
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "time",
            "datetime",
            "checkbox",
            "file",
            "search",
            "tel",
            "color",
        )
    },
    f"{_WIDGETS}radio.html": _multiple_input,
    f"{_WIDGETS}checkbox_select.html": _multiple_input,
    f"{_WIDGETS}textarea.html": _textarea,
    f"{_WIDGETS}clearable_file_input.html": _clearable_file_input,
}


def widget_html(field: BoundField) -> str:
    """What `{{ field }}` writes: Django's `BoundField.as_widget()`, its templates written here."""
    widget = field.field.widget
    render = _RENDERERS.get(widget.template_name)
    if (
        render is None
        or type(widget).render is not forms.Widget.render
        or field.field.show_hidden_initial
    ):
        return str(field)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    # Django's renderer strips what the template writes
    return render(context).strip() or str(field)


def errors_html(field: BoundField) -> str:
    """What `{{ field.errors }}` writes ("django/forms/errors/list/ul.html")."""
    errors = field.errors
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    target = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(errors.error_class)}"{target}>{items}</ul>'


def field_html(field: BoundField) -> str:
    """What "portal/_form_field.html" writes for `field`."""
    if field.is_hidden:
        return widget_html(field)
    errors = errors_html(field)
    css = "field field-error" if errors else "field"
    optional = (
        "" if field.field.required else f' <span class="muted">{_text(_("(facultatif)"))}</span>'
    )
    label = f"{_text(field.label)}{optional}"
    help_text = (
        f'<div class="field-help" id="{_text(field.auto_id)}_helptext">{field.help_text}</div>'
        if field.help_text
        else ""
    )
    widget = widget_html(field)
    if field.widget_type == "checkbox":
        return (
            f'<div class="{css}">\n  {errors}\n  <div class="field-checkbox">\n    {widget}\n'
            f'    <label for="{_text(field.id_for_label)}">{label}</label>\n  </div>\n'
            f"  {help_text}\n</div>"
        )
    if field.use_fieldset:
        described = field.aria_describedby
        described_by = f' aria-describedby="{_text(described)}"' if described else ""
        return (
            f'<div class="{css}">\n  <fieldset{described_by}>\n    <legend>{label}</legend>\n'
            f"    {help_text}\n    {errors}\n    {widget}\n  </fieldset>\n</div>"
        )
    return (
        f'<div class="{css}">\n  <label for="{_text(field.id_for_label)}">{label}</label>\n'
        f"  {help_text}\n  {errors}\n  {widget}\n</div>"
    )


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    """One field as "portal/_form_field.html" writes it."""
    return mark_safe(field_html(field))  # noqa: S308 (every text is escaped; help texts are the code's)


@register.simple_tag
def form_fields(form: forms.BaseForm) -> SafeString:
    """Every field of `form`, in order, each as "portal/_form_field.html" writes it."""
    return mark_safe("\n".join(field_html(field) for field in form))  # noqa: S308 (as above)
