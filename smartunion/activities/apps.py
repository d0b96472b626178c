from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "smartunion.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        organisers = ("union_staff", "subunion_chair", "subunion_committee")
        permissions.register(
            PermissionSpec(
                "activities.view",
                _("See the activities organised in one's scope, their registrations and attendance"),
                ("union_staff", "union_chair", "subunion_chair", "subunion_committee"),
            ),
            PermissionSpec(
                "activities.manage",
                _("Organise activities for one's units: create, publish, cancel, draw, approve, results"),
                organisers,
            ),
            PermissionSpec(
                "activities.register_members",
                _("Register one's units' members in bulk within their quota"),
                organisers,
            ),
            PermissionSpec(
                "activities.checkin", _("Check participants in and record attendance"), organisers
            ),
            PermissionSpec(
                "activities.clubs.manage",
                _("Manage clubs, their officers and yearly plans"),
                ("union_staff",),
            ),
            PermissionSpec(
                "activities.ideas.manage",
                _("Turn members' activity ideas into activities, or close them"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "activities.stats.view",
                _("See participation statistics"),
                ("union_staff", "union_chair", "subunion_chair", "subunion_committee"),
            ),
        )
        from smartunion.core import audit

        audit.register_actions(
            {
                "activities.registration.created": _("Registered for an activity"),
                "activities.registration.cancelled": _("Registration cancelled"),
                "activities.lottery.drawn": _("Lottery drawn"),
            }
        )
        # -- engine helper: audit actions --
        audit.register_actions(
            {
                "activities.registration.offered": _("Freed place offered from the waiting list"),
                "activities.registration.approved": _("Registration approved"),
                "activities.registration.rejected": _("Registration not approved"),
                "activities.offer.accepted": _("Offered place accepted"),
                "activities.offer.declined": _("Offered place declined"),
                "activities.offer.expired": _("Offered place not accepted in time"),
                "activities.quotas.released": _("Unused unit quotas returned to the pool"),
                "activities.lottery.seed_published": _("Lottery seed published"),
            }
        )
        # -- end engine helper --
        # -- console helper: audit actions, navigation --
        from smartunion.core import navigation

        audit.register_actions(
            {
                "activities.activity.created": _("Activity created"),
                "activities.activity.changed": _("Activity changed"),
                "activities.activity.published": _("Activity published"),
                "activities.activity.cancelled": _("Activity cancelled"),
                "activities.activity.finished": _("Activity finished"),
                "activities.batch.added": _("Activity batch added"),
                "activities.quota.set": _("Unit quota set"),
                "activities.quotas.released_now": _("Unit quotas released by the organiser"),
                "activities.question.added": _("Registration question added"),
                "activities.question.changed": _("Registration question changed"),
                "activities.question.removed": _("Registration question removed"),
                "activities.invitations.added": _("Members invited to an activity"),
                "activities.invitation.removed": _("Invitation withdrawn"),
                "activities.judges.set": _("Competition judges set"),
            }
        )
        for item in (
            navigation.NavItem(
                key="activities",
                label=_("Activities"),
                url_name="activities:console_list",
                permission="activities.view",
                icon="calendar",
                group=navigation.GROUP_WORK,
                order=30,
            ),
            navigation.NavItem(
                key="activity_ideas",
                label=_("Activity ideas"),
                url_name="activities:console_ideas",
                permission="activities.ideas.manage",
                icon="inbox",
                group=navigation.GROUP_WORK,
                order=32,
            ),
            navigation.NavItem(
                key="activity_stats",
                label=_("Activity statistics"),
                url_name="activities:console_stats",
                permission="activities.stats.view",
                icon="chart",
                group=navigation.GROUP_WORK,
                order=34,
            ),
        ):
            navigation.console_nav.register(item)
        # -- end console helper --
        # -- portal helper: audit actions, portal blocks --
        self._register_portal()
        # -- end portal helper --
        # -- checkin helper: audit actions, navigation --
        audit.register_actions(
            {
                "activities.checked_in": _("Checked in at an activity"),
                "activities.checked_out": _("Checked out of an activity"),
                "activities.attendance.saved": _("Attendance sheet saved"),
                "activities.scores.saved": _("Judge's scores saved"),
                "activities.results.published": _("Activity results published"),
                "activities.results.withdrawn": _("Activity results taken back"),
                "activities.summary.saved": _("Activity summary saved"),
                "activities.photo.deleted": _("Activity photo removed"),
            }
        )
        # -- end checkin helper --

    # -- portal helper: the member's 活动 tab, clubs, 点单式 ideas --
    def _register_portal(self) -> None:
        """Clubs and ideas: audit actions; the console's 社团 entry; the 首页 block "my next activities".
        The 活动 tab (m/activities/) is this app's own page (activities:portal_browse), which takes the
        address before dashboards:portal_section, so no block is registered in the "activities" section."""
        from smartunion.core import audit, navigation
        from smartunion.core.navigation import PortalBlock, portal_blocks

        from .views.portal import home_block

        audit.register_actions(
            {
                "activities.club.created": _("Club created"),
                "activities.club.changed": _("Club changed"),
                "activities.club.joined": _("Joined a club"),
                "activities.club.left": _("Left a club"),
                "activities.club.officer_set": _("Club officer appointed or stood down"),
                "activities.club.plan_saved": _("Club's yearly plan saved"),
                "activities.idea.proposed": _("Activity idea proposed"),
                "activities.idea.voted": _("Voted for an activity idea"),
                "activities.idea.unvoted": _("Vote for an activity idea withdrawn"),
                "activities.idea.adopted": _("Activity idea turned into an activity"),
                "activities.idea.closed": _("Activity idea closed"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="activity_clubs",
                label=_("Clubs"),
                url_name="activities:club_list",
                permission="activities.clubs.manage",
                icon="users",
                group=navigation.GROUP_WORK,
                order=33,
            )
        )
        portal_blocks.register(
            PortalBlock(
                section="home",
                key="activities_upcoming",
                template="activities/portal/block_home.html",
                context=home_block,
                order=20,
            )
        )

    # -- end portal helper --
