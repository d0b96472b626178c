from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "smartunion.proposals"
    label = "proposals"
    verbose_name = _("Staff-congress proposals")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        # Proposals are school-wide: the committee, the leaders and the union office act on every proposal
        # wherever their role is held. Handling offices see only what is assigned to the offices they work
        # for (organisations.OfficeStaff); leaders sign off only for the offices they supervise.
        committee = ("union_staff", "proposal_committee")
        permissions.register(
            PermissionSpec(
                "proposals.congress.manage",
                _("Set up congress terms, sessions, delegations, representatives and proposal categories"),
                ("union_staff",),
            ),
            PermissionSpec(
                "proposals.view",
                _("See every proposal in the console"),
                (*committee, "union_chair", "school_leader"),
            ),
            PermissionSpec(
                "proposals.review",
                _("Review proposals (立案, 并案, 不予立案), assign them and decide on re-handling"),
                committee,
            ),
            PermissionSpec(
                "proposals.supervise",
                _("Supervise handling (督办) and confirm the year-end follow-up (回头看)"),
                committee,
            ),
            PermissionSpec(
                "proposals.handle",
                _("Handle and reply to the proposals assigned to one's office"),
                ("handling_office",),
            ),
            PermissionSpec(
                "proposals.lead",
                _("Give instructions (批示) and sign off replies for the offices one supervises"),
                ("school_leader",),
            ),
            PermissionSpec(
                "proposals.stats.view",
                _("See proposal statistics and download the annual proposal report"),
                (*committee, "union_chair", "school_leader"),
            ),
        )
        # -- setup helper: audit actions, navigation --
        from django.db.models.signals import post_migrate

        from smartunion.core import audit, navigation

        from . import imports  # noqa: F401  (registers the representatives importer)
        from .services.congress import ensure_default_categories

        audit.register_actions(
            {
                "proposals.congress.created": _("Congress term created"),
                "proposals.congress.updated": _("Congress term changed"),
                "proposals.session.created": _("Congress session created"),
                "proposals.session.updated": _("Congress session rules changed"),
                "proposals.delegation.created": _("Delegation created"),
                "proposals.delegation.updated": _("Delegation changed"),
                "proposals.representative.added": _("Representative added"),
                "proposals.representative.updated": _("Representative changed"),
                "proposals.representative.reinstated": _("Representative reinstated"),
                "proposals.representative.ended": _("Representative's service ended"),
                "proposals.committee.added": _("Proposal committee member added"),
                "proposals.committee.removed": _("Proposal committee member removed"),
                "proposals.category.created": _("Proposal category created"),
                "proposals.category.updated": _("Proposal category changed"),
            }
        )
        audit.register_change_labels(
            {
                "congress": _("Congress term"),
                "member": _("Committee member"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="proposals_congresses",
                label=_("Congress terms and representatives"),
                url_name="proposals:congress_list",
                permission="proposals.congress.manage",
                icon="users",
                group=navigation.GROUP_CONGRESS,
                order=80,
            ),
            navigation.NavItem(
                key="proposals_categories",
                label=_("Proposal categories"),
                url_name="proposals:category_list",
                permission="proposals.congress.manage",
                icon="grid",
                group=navigation.GROUP_CONGRESS,
                order=85,
            ),
        )
        post_migrate.connect(
            ensure_default_categories, sender=self, dispatch_uid="smartunion_proposals_categories"
        )
        # -- end setup helper --
        # -- portal helper: audit actions, navigation, portal blocks --
        # Drafting's audit actions; the portal blocks: 首页 (待附议 invitations, replies to rate) and 服务
        # (the link to the proposals workspace and the board).
        from smartunion.core import audit as portal_audit
        from smartunion.core.navigation import PortalBlock, portal_blocks

        from .views.portal_progress import home_block, services_block

        portal_audit.register_actions(
            {
                "proposals.proposal.created": _("Proposal draft started"),
                "proposals.proposal.updated": _("Proposal draft saved"),
                "proposals.proposal.submitted": _("Proposal submitted"),
                "proposals.proposal.withdrawn": _("Proposal withdrawn by the proposer"),
                "proposals.cosigner.invited": _("Co-signer invited (附议)"),
                "proposals.cosigner.accepted": _("Proposal co-signed (附议)"),
                "proposals.cosigner.declined": _("Co-signing declined"),
                "proposals.cosigner.reconfirm": _("Text changed: co-signers asked to confirm again (附议)"),
                "proposals.attachment.added": _("Proposal attachment added"),
                "proposals.attachment.removed": _("Proposal attachment removed"),
            }
        )
        portal_audit.register_change_labels(
            {
                "text_changed": _("Text changed"),
                "cosigners_to_confirm": _("Co-signers asked to confirm again"),
            }
        )
        portal_blocks.register(
            PortalBlock(
                section="home",
                key="proposals_todo",
                template="proposals/portal/home_block.html",
                context=home_block,
                order=25,
            ),
            PortalBlock(
                section="services",
                key="proposals",
                template="proposals/portal/services_block.html",
                context=services_block,
                order=30,
            ),
        )
        # -- end portal helper --
        # -- handling helper: audit actions, navigation --
        from django.utils.translation import pgettext_lazy

        from smartunion.core import audit as handling_audit
        from smartunion.core import navigation as handling_nav

        handling_audit.register_actions(
            {
                "proposals.proposal.accepted": _("Proposal accepted (立案)"),
                "proposals.proposal.converted": _(
                    "Proposal turned into an opinion or suggestion (转为意见建议)"
                ),
                "proposals.proposal.merged": _("Proposal merged (并案)"),
                "proposals.proposal.rejected": _("Proposal not accepted (不予立案)"),
                "proposals.proposal.visibility_set": _("Proposal visibility changed"),
                "proposals.proposal.assigned": _("Proposal assigned (交办)"),
                "proposals.assignment.returned": _("Assignment returned by the office (退办)"),
                "proposals.assignment.input": _("Assisting office input given (会签)"),
                "proposals.instruction.added": _("Leader instruction given (批示)"),
                "proposals.reply.saved": _("Proposal reply draft saved"),
                "proposals.reply.submitted": _("Proposal reply sent for the leader's sign-off"),
                "proposals.reply.signed_off": _("Proposal reply signed off (审签)"),
                "proposals.reply.sent_back": _("Proposal reply sent back by the leader"),
                "proposals.reply.released": _("Proposal reply released"),
            }
        )
        handling_audit.register_change_labels(
            {
                "lead_office": _("Lead office (主办)"),
                "assist_offices": _("Assisting offices (协办)"),
                "office": _("Handling office"),
                "co_proposers_added": _("Co-proposers added"),
                "replaced": _("Replaced an earlier input"),
                "text": _("Text"),
            }
        )
        handling_nav.console_nav.register(
            handling_nav.NavItem(
                key="proposals_console",
                label=pgettext_lazy("congress", "Proposals (提案)"),
                url_name="proposals:console_list",
                permission="proposals.view",
                icon="inbox",
                group=handling_nav.GROUP_CONGRESS,
                order=20,
            ),
            handling_nav.NavItem(
                key="proposals_office",
                label=_("My assignments (我的交办)"),
                url_name="proposals:office_list",
                permission="proposals.handle",
                icon="inbox",
                group=handling_nav.GROUP_CONGRESS,
                order=30,
            ),
            handling_nav.NavItem(
                key="proposals_leader",
                label=_("Instructions and sign-off (批示与审签)"),
                url_name="proposals:leader_list",
                permission="proposals.lead",
                icon="inbox",
                group=handling_nav.GROUP_CONGRESS,
                order=35,
            ),
        )
        # -- end handling helper --
        # -- evaluation helper: audit actions, navigation --
        self._register_evaluation()
        # -- end evaluation helper --

    # -- evaluation helper --
    def _register_evaluation(self) -> None:
        """Rating, re-handling, 督办, 回头看, statistics and the report: audit actions, console entries."""
        from smartunion.core import audit, navigation

        audit.register_actions(
            {
                "proposals.evaluation.submitted": _("Proposal reply rated"),
                "proposals.proposal.closed": _("Proposal closed on the proposer's rating"),
                "proposals.proposal.unsatisfied": _("Proposal rated unsatisfied (不满意)"),
                "proposals.proposal.rehandling": _("Proposal re-handling ordered (重新办理)"),
                "proposals.proposal.closed_unsatisfied": _("Unsatisfied proposal closed with an explanation"),
                "proposals.proposal.closed_unrated": _("Replied proposal closed without a rating"),
                "proposals.supervision.noted": _("Supervision note (督办) added"),
                "proposals.supervision.exported": _("Proposal supervision list exported"),
                "proposals.reminders.sent": _("Proposal reminders sent"),
                "proposals.followup.opened": _("Year-end follow-up (回头看) opened"),
                "proposals.followup.closed": _("Year-end follow-up (回头看) closed"),
                "proposals.followup.submitted": _("Follow-up (回头看) reported by the office"),
                "proposals.followup.confirmed": _("Follow-up (回头看) confirmed"),
                "proposals.followup.sent_back": _("Follow-up (回头看) sent back"),
                "proposals.stats.exported": _("Proposal statistics exported"),
                "proposals.report.generated": _("Annual proposal work report (提案工作报告) downloaded"),
                "proposals.proposal.deadline_extended": _("New reply deadline set by the committee"),
                "proposals.reply.released_without_signoff": _(
                    "Proposal reply released by the committee without the leader's sign-off"
                ),
            }
        )
        audit.register_change_labels(
            {
                "rating_attitude": _("办理态度"),
                "rating_result": _("办理结果"),
                "is_proposer": _("By the proposer"),
                "lead_office": _("Lead office (主办)"),
                "assist_offices": _("Assisting offices (协办)"),
                "offices_notified": _("Offices notified"),
                "followup_open": _("Year-end follow-up open"),
                "reminders_cleared": _("Reminders cleared"),
                "office_role": _("Lead or assisting office"),
                "why": _("Why"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="proposals_supervision",
                label=_("Supervision (督办)"),
                url_name="proposals:supervision_board",
                permission="proposals.supervise",
                icon="bell",
                group=navigation.GROUP_CONGRESS,
                order=60,
            ),
            navigation.NavItem(
                key="proposals_followup",
                label=_("Year-end follow-up (回头看)"),
                url_name="proposals:followup_list",
                permission="proposals.supervise",
                icon="inbox",
                group=navigation.GROUP_CONGRESS,
                order=65,
            ),
            navigation.NavItem(
                key="proposals_office_followup",
                label=_("Follow-up reports (回头看)"),
                url_name="proposals:office_followup_list",
                permission="proposals.handle",
                icon="inbox",
                group=navigation.GROUP_CONGRESS,
                order=66,
            ),
            navigation.NavItem(
                key="proposals_stats",
                label=_("Proposal statistics"),
                url_name="proposals:stats",
                permission="proposals.stats.view",
                icon="chart",
                group=navigation.GROUP_CONGRESS,
                order=80,
            ),
        )

    # -- end evaluation helper --
