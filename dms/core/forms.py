def apply_service_errors(form, exc, field_map=None):
    """Show a service's DomainError on the form: each field error of a ValidationFailed on
    the matching form field (through ``field_map``), anything else above the form."""
    field_map = field_map or {}
    fields = getattr(exc, "fields", None)
    if not fields:
        form.add_error(None, str(exc.message))
        return
    for name, errors in fields.items():
        target = field_map.get(name, name)
        if target not in form.fields:
            target = None
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(target, str(error))
