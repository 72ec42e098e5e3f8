"""This app's part of the generated tenant-isolation walks (tests/test_page_isolation.py,
tests/test_api_isolation.py): which object each route parameter names, and one object of
each kind belonging to the victim distributor.

Courses, their sessions, materials and questions are the brand's (every distributor whose
tier a course is open to may read them); what the victim's people did — registrations,
quiz attempts, completions and certificates, and the distributor's training record — is
the victim's."""

# /api/v1/ path segment before a parameter -> object key (e.g. {"customers": "customer"})
API_SEGMENTS: dict[str, str] = {"courses": "training_course", "training-records": "distributor"}
# API segments of brand-wide resources every distributor may read (not required to 404)
API_SHARED: set[str] = {"courses"}
# /api/v1/ collections distributor users may not list at all (403 by design)
API_PORTAL_FORBIDDEN: set[str] = set()
# page route name -> object key (e.g. {"training:detail": "customer"})
PAGE_ROUTES: dict[str, str] = {
    "training:record": "distributor",
    "training:certificate": "training_completion",
    "training:certificate_revoke": "training_completion",
    "training_portal:certificate": "training_completion",
    "training_portal:attempt": "training_attempt",
}
# page routes whose parameters are not tenant objects (brand-wide set-up)
PAGE_NOT_TENANT: set[str] = {
    "training:detail", "training:edit", "training:status", "training:material_add", "training:session_add",
    "training:question_add", "training:mandate_add", "training:material", "training:material_delete",
    "training:question_edit", "training:question_delete", "training:mandate_delete", "training:session",
    "training_portal:course", "training_portal:quiz", "training_portal:material", "training_portal:register",
    "training_portal:cancel",
    # public certificate check: a random token, shows no person or distributor
    "training_portal:verify",
}


def victim_objects(*, distributor, owner, staff):
    """Create one object of every kind for ``distributor`` (``owner`` is its portal admin,
    ``staff`` an administrator). Return (ids: dict key -> pk, secrets: list of strings that
    must never appear to an outsider)."""
    from dms.training.services import mark_attendance, register, submit_quiz

    from .factories import course_with_quiz, right_answers, session_for, start

    course = course_with_quiz(requires_session=True)
    session = session_for(course)
    registration = register(session_id=session.pk, user=owner)
    attempt = submit_quiz(course_id=course.pk, user=owner, answers=right_answers(course))
    start(session)
    mark_attendance(session_id=session.pk, attended_ids={registration.pk}, actor=staff)
    completion = owner.training_completions.get(course=course)
    ids = {"training_course": course.pk, "training_attempt": attempt.pk, "training_completion": completion.pk}
    return ids, [completion.certificate_number]
