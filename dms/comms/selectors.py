"""Reads: which announcements a distributor or a member of staff may see, who is targeted
and who has read, threads with their unread counts.

Targeting (documented in docs/comms.md): an announcement reaches every distributor when
``target_all`` is set; otherwise the *union* of the chosen tiers, provinces (first two digits
of the distributor's region code) and named distributors. It is evaluated with the
distributor's *current* tier and region whenever the list is read, so a distributor moving
tier sees what its new tier is sent; notifications go out once, to those targeted at the
moment of publication.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dms.accounts.models import User
from dms.core.scoping import distributor_scope
from dms.distributors.models import Distributor

from .models import Announcement, AnnouncementRead, Message, Thread, ThreadReadMarker

TierLink = Announcement.tiers.through
DistributorLink = Announcement.distributors.through


def _province(distributor) -> str:
    return (distributor.region_code or "")[:2]


def targeting_q(distributor) -> Q:
    """Announcements aimed at ``distributor`` (status and dates aside)."""
    q = Q(target_all=True)
    q |= Exists(TierLink.objects.filter(announcement=OuterRef("pk"), tier_id=distributor.tier_id))
    q |= Exists(DistributorLink.objects.filter(announcement=OuterRef("pk"), distributor_id=distributor.pk))
    if _province(distributor):
        q |= Q(provinces__contains=f",{_province(distributor)},")
    return q


def live_q(now=None) -> Q:
    now = now or timezone.now()
    return (Q(status=Announcement.Status.PUBLISHED) & (Q(publish_at__isnull=True) | Q(publish_at__lte=now))
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)))


def announcements_for_distributor(distributor, user=None):
    """What a distributor's users see: live and aimed at it, pinned first; ``is_read`` for ``user``."""
    qs = Announcement.objects.filter(live_q()).filter(targeting_q(distributor))
    if user is not None:
        qs = qs.annotate(is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)))
    return qs.order_by("-pinned", "-publish_at", "-id")


def announcements_for_staff(user):
    """Every announcement for brand-wide staff. A channel manager sees the broad ones
    (everyone, tiers, provinces) and those naming one of his distributors, never one
    addressed only to another manager's distributor."""
    qs = Announcement.objects.all()
    scope = distributor_scope(user)
    if scope is None:
        return qs
    ids = [scope] if isinstance(scope, int) else list(scope)
    return qs.filter(Q(target_all=True) | ~Q(provinces="")
                     | Exists(TierLink.objects.filter(announcement=OuterRef("pk")))
                     | Exists(DistributorLink.objects.filter(announcement=OuterRef("pk"), distributor_id__in=ids)))


def targeted_distributors(announcement):
    """Active distributors the announcement is aimed at (within the caller's scope)."""
    qs = Distributor.objects.filter(status=Distributor.Status.ACTIVE)
    if announcement.target_all:
        return qs
    q = Q(pk__in=DistributorLink.objects.filter(announcement=announcement).values("distributor_id"))
    q |= Q(tier_id__in=TierLink.objects.filter(announcement=announcement).values("tier_id"))
    for code in announcement.province_codes:
        q |= Q(region_code__startswith=code)
    return qs.filter(q)


def targeted_users(announcement):
    return User.objects.filter(distributor__in=targeted_distributors(announcement), is_active=True)


def receipts(announcement) -> dict:
    """Per targeted distributor (in scope): its users, who read and when; with the totals."""
    distributors = list(targeted_distributors(announcement).select_related("tier").order_by("code"))
    users = User.objects.filter(distributor__in=distributors, is_active=True).order_by("username")
    reads = {r.user_id: r.read_at for r in AnnouncementRead.objects.filter(announcement=announcement)}
    by_distributor = {d.pk: [] for d in distributors}
    for u in users:
        by_distributor[u.distributor_id].append({"user": u, "read_at": reads.get(u.pk)})
    rows = []
    for d in distributors:
        people = by_distributor[d.pk]
        times = [p["read_at"] for p in people if p["read_at"]]
        rows.append({"distributor": d, "users": people, "read": len(times), "first_read": min(times, default=None)})
    return {
        "rows": rows,
        "distributors": len(rows),
        "distributors_read": sum(1 for r in rows if r["read"]),
        "users": sum(len(r["users"]) for r in rows),
        "users_read": sum(r["read"] for r in rows),
    }


def unread_announcement_count(distributor, user) -> int:
    return announcements_for_distributor(distributor, user).filter(is_read=False).count()


# --- threads ---------------------------------------------------------------------------


def _with_unread(qs, user):
    marker = ThreadReadMarker.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_id")[:1]
    unread = (Message.objects.filter(thread=OuterRef("pk"), pk__gt=OuterRef("last_read")).exclude(author=user)
              .order_by().values("thread").annotate(n=Count("pk")).values("n"))
    return qs.annotate(last_read=Coalesce(Subquery(marker, output_field=IntegerField()), Value(0)),
                       unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def threads_for(user):
    """Threads the user may open (the request scope applies), with ``unread`` for him."""
    qs = Thread.objects.select_related("distributor", "order", "shipment", "created_by")
    if user.distributor_id:
        qs = qs.filter(distributor_id=user.distributor_id)
    return _with_unread(qs, user)


def participating_q(user) -> Q:
    """Threads a member of staff takes part in: his distributors', or ones he wrote in."""
    return (Q(distributor__channel_manager=user) | Q(created_by=user)
            | Exists(Message.objects.filter(thread=OuterRef("pk"), author=user)))


def unread_thread_count(user) -> int:
    qs = threads_for(user)
    if not user.distributor_id:
        qs = qs.filter(participating_q(user))
    return qs.filter(unread__gt=0).count()


def thread_detail(user, pk: int) -> Thread:
    """Raises Thread.DoesNotExist outside the caller's scope (or his distributor)."""
    return threads_for(user).get(pk=pk)


def messages_of(thread, after: int = 0):
    return (Message.objects.filter(thread=thread, pk__gt=after).select_related("author")
            .prefetch_related("attachments").order_by("id"))
