"""The demo university's appeals (诉求/意见反馈), written through the appeals services as they happened.

* The taxonomy of ``data/union_appeals/taxonomy.json``: its ten offices (the congress's handling offices,
  plus 校工会办公室 and 附属幼儿园, created here with one staff member each) and their categories, each with
  a description from the office's remit and the boundary rules, keywords and a working-day SLA (1/5 for
  维修报修 and 食堂餐饮, 2/10 otherwise).
* The 200 invented appeals of ``data/union_appeals/dev.csv`` (text, office, category — the truth the union
  office routes by), submitted by demo members (some anonymous, some allowing publication):
  - about 150 over the past eight months, each handled to its end: the router answers first (its cold-start
    version fitted from the taxonomy at the first submission, retrained as confirmed routings come in),
    the union office routes what waits in triage, offices acknowledge, pass back the few misrouted ones and
    reply (a few late), members rate (mostly 满意/基本满意, a few 不满意, one reopened and answered again),
    and the union office publishes several as 常见问题;
  - then the router is retrained on the whole history (``train_router``), and the other ~50 arrive in the
    last three weeks, left at every step: in triage with the trained router's suggestions, routed and
    waiting for acknowledgement (yellow, red), being handled (green, yellow, red), replied and waiting for
    a rating, reopened, closed, withdrawn.
* The member login has appeals in several states (one replied and waiting for its rating); the 承办部门 login
  (head of 后勤管理处) has appeals to acknowledge and to answer.

As in the proposals demo, each step runs at its moment under the patched clock of ``proposal_story.history``;
the steps of all appeals run in time order (each appeal's story is a generator that yields its next moment
and acts when resumed, so it can follow what the router decided). Messages are written at their moment
(``on_commit`` runs at once inside the history), and a retraining the services request is run at once,
at that moment, instead of being queued for the worker.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import json
import random
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

from smartunion.accounts import roles as role_codes
from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, RoleAssignment
from smartunion.ai import tasks as ai_tasks
from smartunion.ai.models import RouterModel
from smartunion.ai.services import routing as ai_routing
from smartunion.ai.services.training import train_router
from smartunion.appeals.models import Appeal, Category
from smartunion.appeals.services import faq, handling, reminders, routing, submission, taxonomy
from smartunion.appeals.services.routing import settings_get
from smartunion.demo.hardship import member_login_person
from smartunion.demo.proposal_story import Clock, Days, at, history
from smartunion.members.models import Membership, Person
from smartunion.notifications.models import Notification
from smartunion.organisations import services_offices
from smartunion.organisations.models import HandlingOffice, OfficeStaff, OrgUnit

DATA = Path(__file__).resolve().parent / "data" / "union_appeals"
ROUTER = "appeals"
HISTORY_DAYS = 245  # about eight months
RETRAIN_EVERY = 100
STORY_SEED = 1
HISTORY_ENDS = 40  # days ago: the last of the history's submissions
FAST = {"维修报修", "食堂餐饮"}  # acknowledged within 1, answered within 5 working days
# The taxonomy's office names that differ from the demo's handling offices.
OFFICE_NAMES = {"附属幼儿园/子女教育": "附属幼儿园"}
# Offices the congress does not have: (name, short name, unit, 分管校领导 index).
NEW_OFFICES = {
    "校工会办公室": ("校工会办公室", "工会办", "机关", 1),
    "附属幼儿园": ("附属幼儿园", "", "后勤管理处", 0),
}
# A plausible wrong office for the planned misroutings (the boundary cases of the taxonomy).
CONFUSED_WITH = {
    "后勤管理处": "教务处",
    "教务处": "后勤管理处",
    "保卫处": "后勤管理处",
    "财务处": "人事处",
    "人事处": "财务处",
    "资产与实验室管理处": "后勤管理处",
    "信息化建设与管理处": "财务处",
    "校工会办公室": "人事处",
    "校医院": "人事处",
    "附属幼儿园": "校工会办公室",
}

# (description, keywords, the office's reply) per category; 表扬 and 意见建议 are the same for every office.
CATEGORY_TEXTS: dict[str, tuple[str, str, str]] = {
    "会员管理": (
        "入会申请、会籍转接、会员信息变更、会费标准与缴纳",
        "入会 会籍 转会 会员证 会员卡 会费 退会 会员信息",
        "已核对您的会籍信息并按《工会会员会籍管理办法》办理；会费按月从工资中代扣，标准以岗位工资和薪级工资为基数。",
    ),
    "工会活动": (
        "校工会组织的文体活动、兴趣协会、教职工运动会、春秋游与读书会等",
        "活动 运动会 协会 比赛 报名 春游 秋游 羽毛球 瑜伽 读书会 健步走",
        "已将您的建议转交校工会文体部，下季度的活动安排会增加场次，并提前在工会平台公布报名方式。",
    ),
    "工会福利": (
        "节日慰问品、生日福利、电影票、福利选购平台等工会福利的发放",
        "福利 慰问品 节日 生日 蛋糕 电影票 购物卡 选购平台 供应商 提货券",
        "已与福利供应商沟通，下一次节日福利将增加可选品类，并在发放前公示价格对比，欢迎继续监督。",
    ),
    "帮扶慰问": (
        "困难教职工帮扶、生病住院与婚育丧慰问、金秋助学",
        "困难 帮扶 慰问 住院 生病 去世 丧葬 补助 救助 大病 助学",
        "分工会已上门慰问并按规定发放慰问金；困难帮扶可在“困难帮扶”栏目在线申请，我们会尽快审核。",
    ),
    "食堂餐饮": (
        "教工食堂的菜品、价格、卫生、供应时间与就餐服务",
        "食堂 饭菜 菜品 价格 卫生 窗口 早餐 午餐 晚餐 打饭 排队 餐厅",
        "饮食服务中心已约谈食堂经营方，调整了菜品和供应时间，并加强每日的卫生检查，欢迎继续提出意见。",
    ),
    "维修报修": (
        "房屋、水电、空调、门窗、灯具、电梯等建筑设施的故障维修，包括周转房和教工宿舍里的日常维修",
        "维修 报修 漏水 水管 停电 空调 电梯 灯 门窗 坏了 堵塞 马桶 渗水",
        "维修班组已到现场查看并完成维修；如再出现问题，请拨打后勤服务热线或在网上报修平台报修。",
    ),
    "校园设施": (
        "校园道路、路灯、座椅、饮水机、开水房、公共卫生间与运动场地等公共设施",
        "设施 路灯 道路 饮水机 开水 座椅 卫生间 浴室 健身器材 无障碍 操场",
        "已列入近期的校园设施维护计划，施工完成后会在校园网公告，感谢您的关心。",
    ),
    "停车": (
        "教职工停车位、停车费、充电桩与非机动车、共享单车的停放区",
        "停车 车位 停车费 充电桩 电动车 充电 单车 停车场 车库 停放",
        "已协调在相关区域增设停车位和充电桩；停车收费按学校现行文件执行，调整方案会先征求教职工意见。",
    ),
    "环境卫生": (
        "校园保洁、垃圾清运、绿化养护与病媒防治",
        "卫生 垃圾 保洁 绿化 蚊虫 老鼠 异味 清扫 落叶 草坪 垃圾桶",
        "物业公司已加强相关区域的保洁和垃圾清运频次，绿化养护和消杀也已安排。",
    ),
    "职称评审": (
        "专业技术职务（职称）评审的条件、材料、任职年限与流程",
        "职称 评审 副教授 教授 讲师 任职年限 申报 代表作 评聘 高级职称",
        "职称评审条件以当年的评审文件为准；您提出的情况已请评审办公室核实，也欢迎携带材料到人事处当面咨询。",
    ),
    "聘用合同": (
        "聘用合同与劳动合同的签订、续签、变更与解除，人事代理",
        "合同 续签 聘用 劳动合同 人事代理 编制 试用期 解除 合同到期",
        "已核对您的合同信息，续签手续将在合同期满前一个月通知办理，具体条款请以聘用合同文本为准。",
    ),
    "考核聘任": (
        "年度考核、聘期考核、岗位设置与岗位聘任",
        "考核 聘任 岗位 聘期 年度考核 优秀 等级 岗位聘任 岗位设置",
        "考核与岗位聘任按学校的实施办法执行，您的意见已提交考核工作小组研究，结果会在下一轮聘任前公布。",
    ),
    "招聘引进": (
        "招聘与人才引进、引进人才的待遇与配偶安置",
        "招聘 引进 人才 博士 安家费 配偶 随调 安置 博士后 人才计划",
        "引进人才的待遇与配偶安置按学校的人才引进办法执行，人事处人才办已与您联系说明具体办理流程。",
    ),
    "退休手续": (
        "退休办理、延迟退休与退休待遇的核定",
        "退休 延迟退休 养老金 退休手续 返聘 工龄 退休待遇",
        "退休手续请在到龄前三个月到人事处办理，所需材料清单已发到您的邮箱，待遇核定按社保部门规定执行。",
    ),
    "人事信息": (
        "人事档案与人事信息、在职证明、收入证明等各类证明",
        "证明 在职证明 档案 人事信息 收入证明 工作年限 个人信息",
        "在职证明和收入证明可在网上办事大厅自助开具；人事信息有误的，已为您更正。",
    ),
    "工资发放": (
        "工资、各类津贴补贴与绩效的发放和扣款，个人所得税与工资条",
        "工资 津贴 补贴 绩效 扣款 个税 工资条 到账 发放 公积金 代扣",
        "已核对您的工资明细：相关款项按月发放，扣款依据已在工资条中列明，如仍有疑问可到财务处窗口核对。",
    ),
    "报销": (
        "差旅费、科研经费等报销的流程、标准与进度",
        "报销 发票 差旅 经费 退回 审核 预约 财务系统 票据 报账",
        "报销单已重新审核，退回原因和需要补充的材料已写在系统中；我们也在简化报销流程，减少跑腿。",
    ),
    "住房": (
        "周转房、人才公寓、公房的分配与管理，租金与费用、租赁合同，家具家电等资产的更换",
        "周转房 公寓 人才公寓 住房 租金 房租 宿舍 分房 家具 家电 租赁",
        "住房分配和租金标准按学校公房管理办法执行；您反映的情况已核实，需更换的家具家电已安排。",
    ),
    "办公用房": (
        "办公用房与实验用房的分配与调整",
        "办公室 办公用房 实验室 实验用房 用房 面积 搬迁 调整",
        "办公与实验用房的调整需由学院统一申报，我处已与学院沟通，将在本学期的用房调整中统筹考虑。",
    ),
    "校园网": (
        "校园网、无线网络与 VPN 的接入和速度",
        "校园网 网速 无线 WiFi VPN 断网 上网 宽带 网络 信号",
        "已排查相关区域的网络设备并完成扩容，网速已恢复正常；如仍有问题请拨打信息化服务热线。",
    ),
    "电子邮箱": (
        "学校电子邮箱的开通、容量、收发与垃圾邮件",
        "邮箱 邮件 容量 垃圾邮件 收不到 附件 发信",
        "已为您的邮箱扩容并调整了反垃圾邮件规则，收发已恢复正常。",
    ),
    "信息系统": (
        "统一身份认证、网上办事大厅及各类业务系统的故障与使用",
        "系统 登录 密码 统一身份认证 办事大厅 小程序 页面 打不开 故障 APP",
        "系统故障已修复，并增加了运行监控；业务办理上的问题我们已转告相关业务部门。",
    ),
    "医疗服务": (
        "校医院门诊医疗、科室设置、药品、就诊时间与服务",
        "门诊 看病 医生 药 挂号 科室 中医 就诊 开药 校医院 药品",
        "校医院已研究您的建议：常用药品已补充，门诊时间和科室安排会在校医院网站公布。",
    ),
    "体检": (
        "教职工年度体检的项目、时间安排与结果",
        "体检 体检项目 体检报告 检查 B超 CT 年度体检 预约",
        "今年的体检项目已按年龄和性别分组优化，体检报告可在校医院小程序查询，专家解读会另行通知。",
    ),
    "医保报销": (
        "医保与公费医疗的报销、转诊与异地就医",
        "医保 公费医疗 报销 转诊 异地 住院 门诊费用 医疗费 医保卡",
        "医疗费用已按规定审核报销，异地就医和转诊的办理流程已发到您的邮箱。",
    ),
    "教学安排": (
        "排课、调停课、考试安排与教学运行",
        "排课 课表 调课 停课 考试 监考 教学 课程 学期 上课时间",
        "教务处已与学院沟通调整课表，下学期排课时会优先考虑教师的合理需求。",
    ),
    "教室": (
        "教室借用与多媒体、话筒、机房、语音室等教学设备",
        "教室 多媒体 投影 话筒 机房 语音室 电脑 教学设备 借用 音响",
        "已安排技术人员检修相关教室的教学设备，教室借用可在教务系统在线申请。",
    ),
    "课时工作量": (
        "课时认定与教学工作量的计算",
        "课时 工作量 课时费 认定 系数 教学工作量 超课时",
        "教学工作量按学校的计算办法认定，您反映的情况已复核并更正，课时费将随下月工资发放。",
    ),
    "幼儿园": (
        "附属幼儿园的入园、收费、保教与伙食",
        "幼儿园 入园 小班 中班 大班 保教 伙食 接送 园长",
        "附属幼儿园已研究您的意见，入园安排和收费标准已在幼儿园公众号公示，保教工作会继续改进。",
    ),
    "子女入学": (
        "教职工子女入读附属学校和周边中小学的协调",
        "子女 入学 小学 初中 学区 上学 附属学校 孩子 报名",
        "学校每年与附属学校和属地教育局协调教职工子女入学，今年的办理通知和材料清单已发布。",
    ),
    "托管托育": (
        "寒暑假托管、课后托管与婴幼儿托育",
        "托管 托育 暑假 寒假 课后 看护 托班 放学",
        "暑期托管班已扩大名额并延长了开放时间，报名方式会在工会平台提前公布。",
    ),
    "治安安全": (
        "校园治安、消防安全、防盗与安全隐患",
        "治安 消防 安全 被盗 监控 隐患 报警 小偷 灭火器 巡逻",
        "保卫处已加强相关区域的巡逻并检查了消防设施，隐患已整改，监控也已增设。",
    ),
    "交通": (
        "校内道路交通秩序：车速、违停、消防通道与路口疏导",
        "车速 违停 交通 路口 疏导 消防通道 超速 拥堵 减速带",
        "已在相关路段增设减速带和提示牌，上下班高峰安排保安疏导，违停车辆会及时劝离。",
    ),
    "出入校园": (
        "门禁、访客登记、车辆出入登记与校门开放时间",
        "门禁 访客 校门 进校 车辆登记 出入 刷脸 通行证 家属 预约",
        "访客可通过小程序预约入校，教职工车辆登记已在网上办理，校门开放时间已调整并公告。",
    ),
    "表扬": (
        "对本部门工作人员及服务的表扬与感谢",
        "表扬 感谢 点赞 辛苦 热情 及时 好评 感谢信",
        "感谢您的肯定！我们已将您的表扬转达给相关同事，会继续做好服务。",
    ),
    "意见建议": (
        "向本部门提出的工作意见和改进建议",
        "建议 意见 希望 改进 提议 能否 完善",
        "感谢您的建议，我们已认真研究，会在后续工作中逐步改进，并在部门网站公布进展。",
    ),
}
# Which boundary rule (index in taxonomy.json) each category's description quotes.
BOUNDARY_RULES = {
    "维修报修": (0, 3),
    "教室": (0,),
    "停车": (1,),
    "交通": (1,),
    "工资发放": (2, 4),
    "职称评审": (2,),
    "考核聘任": (2,),
    "会员管理": (2,),
    "住房": (3,),
    "办公用房": (3,),
    "信息系统": (4,),
    "报销": (4,),
    "表扬": (5,),
    "意见建议": (5,),
}
UNSATISFIED_COMMENTS = [
    "答复只是解释了规定，问题本身还没有解决。",
    "说是已经处理，可实际情况没有变化。",
    "等了很久才答复，希望能给出具体的时间表。",
]
PASS_BACK_REASON = "此事不属于我处职责范围，请转{office}办理。"
SATISFIED_COMMENTS = ["处理很及时，谢谢！", "", "问题已经解决，感谢。", "", "答复清楚。"]


@dataclass
class Row:
    text: str
    office: str  # the demo's office name
    category: str

    @property
    def title(self) -> str:
        """The subject a member would type: the first sentence, at most 30 characters."""
        first = self.text
        for mark in "。！？!?；":
            first = first.split(mark)[0]
        clauses = [clause for clause in first.strip("，, ").split("，") if clause]
        title = clauses[0] if clauses else self.text[:29]
        for clause in clauses[1:]:
            if len(title) + 1 + len(clause) > 30:
                break
            title += "，" + clause
        return title if len(title) <= 30 else title[:29] + "…"


@dataclass
class Plan:
    row: Row
    person: Person
    stage: str  # closed, unsatisfied, reopen, misroute, faq, unrated; or a recent one
    anonymous: bool = False
    reveal: bool = False
    publish: bool = False
    choose_category: bool = False


def read_rows() -> list[Row]:
    with (DATA / "dev.csv").open(encoding="utf-8") as file:
        return [
            Row(r["text"].strip(), OFFICE_NAMES.get(r["office"], r["office"]), r["category"])
            for r in csv.DictReader(file)
        ]


def read_taxonomy() -> dict[str, Any]:
    return json.loads((DATA / "taxonomy.json").read_text(encoding="utf-8"))


@contextmanager
def live(demo: AppealsDemo) -> Iterator[None]:
    """Inside the history: messages are written at their moment, and a retraining the services ask for runs
    at once (at that moment) instead of waiting for the worker."""

    def at_once(func: Any, using: Any = None, robust: bool = False) -> None:
        func()

    def retrain(*, router: str, actor: Any = None) -> None:
        demo.retrain_pending = True

    with (
        history(demo.clock),
        mock.patch.object(transaction, "on_commit", at_once),
        mock.patch.object(ai_tasks, "request_retrain", retrain),
    ):
        yield


class AppealsDemo:
    def __init__(self, *, staff: Any, root: OrgUnit, seed: int) -> None:
        # The stories (which text, when, how it went) come from a fixed seed, so the router learns from the
        # same history in every demo; who submitted each appeal follows the demo's seed.
        self.rng = random.Random(STORY_SEED)
        self.people = random.Random(seed)
        self.staff = staff
        self.root = root
        self.clock = Clock(timezone.now)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.start = self.today - dt.timedelta(days=HISTORY_DAYS)
        self.days = Days(self.start - dt.timedelta(days=30), self.today + dt.timedelta(days=120))
        self.categories: dict[tuple[str, str], Category] = {}
        self.office_staff: dict[int, list[Any]] = {}
        self.retrain_pending = False
        self.trained = 0
        self.seq = 0
        self.last = self.now - dt.timedelta(days=HISTORY_DAYS)
        self.member = member_login_person()

    def set_clock(self, moment: dt.datetime) -> None:
        self.clock.moment = min(moment, self.now - dt.timedelta(minutes=1))

    # -- time helpers ---------------------------------------------------------------------------------
    def working_moment(self, day: dt.date, early: int = 9, late: int = 16) -> dt.datetime:
        return at(self.days.on_or_after(day), self.rng.randint(early, late), self.rng.randrange(60))

    def later(self, moment: dt.datetime, working_days: int, early: int = 9, late: int = 16) -> dt.datetime:
        """A working-hours moment ``working_days`` after ``moment`` (0: later the same working day if there
        is time, else the next working morning)."""
        local = timezone.localtime(moment)
        if working_days == 0:
            if self.days.working(local.date()) and local.hour < late:
                return moment + dt.timedelta(minutes=self.rng.randint(20, 150))
            working_days = 1
        day = self.days.add(local.date(), working_days)
        return max(self.working_moment(day, early, late), moment + dt.timedelta(minutes=5))

    def evening(self, day: dt.date) -> dt.datetime:
        return at(day, 19 + self.rng.randrange(3), self.rng.randrange(60))

    # -- set-up ---------------------------------------------------------------------------------------
    def seed_offices(self, taxonomy_data: dict[str, Any]) -> None:
        self.set_clock(at(self.start - dt.timedelta(days=6), 10))
        roles = {role.code: role for role in Role.objects.all()}
        leaders = [
            a.user
            for a in RoleAssignment.objects.filter(
                role__code=role_codes.SCHOOL_LEADER, revoked_at__isnull=True
            )
            .select_related("user")
            .order_by("user__staff_no")
        ]
        busy = set(
            RoleAssignment.objects.exclude(role__code=role_codes.MEMBER).values_list("user_id", flat=True)
        )
        if self.member is not None and self.member.user_id is not None:
            busy.add(self.member.user_id)
        remits = {OFFICE_NAMES.get(o["office"], o["office"]): o["remit"] for o in taxonomy_data["offices"]}
        existing = HandlingOffice.objects.count()
        for number, (name, (office_name, short, unit_name, leader_index)) in enumerate(NEW_OFFICES.items()):
            if HandlingOffice.objects.filter(name=office_name).exists():
                continue
            unit = OrgUnit.objects.filter(name=unit_name, depth=1).first()
            office = services_offices.office_create(
                actor=self.staff,
                name=office_name,
                short_name=short,
                unit=unit,
                leader=leaders[leader_index] if leader_index < len(leaders) else None,
                duties=remits.get(name, "") + "。",
                sort_order=(existing + number + 1) * 10,
            )
            if (
                name == "校工会办公室"
            ):  # a union office member who does not triage the appeals (not the login)
                union_staff = [
                    a.user
                    for a in RoleAssignment.objects.filter(
                        role__code=role_codes.UNION_STAFF, unit=self.root, revoked_at__isnull=True
                    )
                    .select_related("user")
                    .order_by("user__staff_no")
                ]
                user = union_staff[1] if len(union_staff) > 1 else self.staff
                assign_unit = self.root
            else:
                pool = (
                    Person.objects.filter(
                        unit__path__startswith=unit.path if unit else "",
                        user__isnull=False,
                        is_active=True,
                        membership__status=Membership.Status.FULL,
                        category__is_retired=False,
                    )
                    .exclude(user_id__in=busy)
                    .select_related("user", "unit")
                    .order_by("staff_no")
                )
                person = self.people.choice(list(pool)) if pool.exists() else None
                if person is None:
                    continue
                user, assign_unit = person.user, person.unit
            busy.add(user.pk)
            account_services.role_assign(
                actor=None,
                user=user,
                role=roles[role_codes.HANDLING_OFFICE],
                unit=assign_unit,
                valid_from=self.start - dt.timedelta(days=6),
            )
            services_offices.office_staff_add(actor=self.staff, office=office, user=user, is_head=True)

    def seed_taxonomy(self, taxonomy_data: dict[str, Any]) -> None:
        self.set_clock(at(self.start - dt.timedelta(days=3), 15))
        rules = taxonomy_data["boundary_rules"]
        offices = {office.name: office for office in HandlingOffice.objects.all()}
        for entry in taxonomy_data["offices"]:
            name = OFFICE_NAMES.get(entry["office"], entry["office"])
            office = offices[name]
            for order, category_name in enumerate(entry["categories"], start=1):
                description, keywords, _reply = CATEGORY_TEXTS[category_name]
                if category_name in ("表扬", "意见建议"):
                    description = description.replace("本部门", name)
                    if name == "校工会办公室" and category_name == "意见建议":
                        description += "，以及对学校或工会工作的综合建议"
                else:
                    description += f"（{name}：{entry['remit']}）"
                quoted = [rules[i] for i in BOUNDARY_RULES.get(category_name, ())]
                if quoted:
                    description += "。分工：" + "；".join(quoted)
                fast = category_name in FAST
                self.categories[(name, category_name)] = taxonomy.category_create(
                    actor=self.staff,
                    office=office,
                    name=category_name,
                    description=description,
                    keywords=keywords,
                    acknowledge_working_days=1 if fast else 2,
                    reply_working_days=5 if fast else 10,
                    sort_order=order * 10,
                )
        for office_id in {category.office_id for category in self.categories.values()}:
            self.office_staff[office_id] = [
                s.user
                for s in OfficeStaff.objects.filter(office_id=office_id)
                .select_related("user")
                .order_by("-is_head", "pk")
            ]
        # Fewer, larger retrainings than the default (every 50): 50 confirmed routings spread over 52
        # categories leave too few labels with 3+ examples to hold any out, so the first supervised version
        # would replace the cold start unevaluated; with 100 every version is evaluated on routings the
        # version in use has not seen (v2 loses to the cold start, v3 beats it and is promoted).
        taxonomy.settings_update(
            actor=self.staff,
            auto_route_confidence=settings_get().auto_route_confidence,
            escalate_after_working_days=settings_get().escalate_after_working_days,
            retrain_every_confirmed=RETRAIN_EVERY,
        )

    # -- plans ----------------------------------------------------------------------------------------
    def members(self) -> list[Person]:
        officers = RoleAssignment.objects.exclude(role__code=role_codes.MEMBER).values("user_id")
        return list(
            Person.objects.filter(
                user__isnull=False, is_active=True, membership__status__in=Membership.MEMBER_STATUSES
            )
            .exclude(user_id__in=officers)
            .select_related("user", "unit")
            .order_by("staff_no")
        )

    def plan(self, rows: list[Row]) -> tuple[list[Plan], list[Plan]]:
        rng = self.rng
        members = self.members()
        member = self.member
        members = [p for p in members if member is None or p.pk != member.pk]
        free = list(range(len(rows)))
        rng.shuffle(free)

        def take(office: str | None = None, category: str | None = None) -> Row:
            for i in free:
                row = rows[i]
                if (office is None or row.office == office) and (
                    category is None or row.category == category
                ):
                    free.remove(i)
                    return row
            return rows[free.pop()]

        def person() -> Person:
            return self.people.choice(members)

        def consent(plan: Plan) -> Plan:
            plan.anonymous = rng.random() < 0.2
            plan.reveal = plan.anonymous and rng.random() < 0.5
            plan.publish = rng.random() < 0.45
            plan.choose_category = rng.random() < 0.25
            return plan

        recent: list[Plan] = []
        history: list[Plan] = []
        # The member login: one closed long ago, one replied waiting for the rating, one being handled, one
        # anonymous in triage.
        if member is not None:
            history.append(Plan(take("校医院", "体检"), member, "closed", publish=True))
            recent.append(Plan(take("后勤管理处", "食堂餐饮"), member, "replied"))
            recent.append(Plan(take("人事处", "职称评审"), member, "progress_green"))
            recent.append(Plan(take("保卫处"), member, "triage", anonymous=True, reveal=True))
        # The 后勤管理处 login's desk: to acknowledge (red, yellow), to answer (green, yellow, red), reopened.
        for stage in (
            "routed_red",
            "routed_yellow",
            "routed_yellow",
            "progress_green",
            "progress_yellow",
            "progress_red",
            "reopened",
            "replied",
        ):
            recent.append(consent(Plan(take("后勤管理处"), person(), stage)))
        quotas = {
            "triage": 7,
            "passed_back": 1,
            "routed_red": 3,
            "routed_yellow": 3,
            "progress_green": 6,
            "progress_yellow": 3,
            "progress_red": 3,
            "replied": 6,
            "closed": 4,
            "withdrawn": 2,
        }
        for stage, count in quotas.items():
            recent += [consent(Plan(take(), person(), stage)) for _ in range(count)]
        # The history: a few planned misroutings and 不满意, one reopened, several published.
        remaining = [rows[i] for i in free]
        stages = ["misroute"] * 6 + ["unsatisfied"] * 4 + ["reopen"] + ["unrated"] * 4
        stages += ["closed"] * (len(remaining) - len(stages))
        for row, stage in zip(remaining, stages, strict=False):
            history.append(consent(Plan(row, person(), stage)))
        return history, recent

    # -- the services, one step each ----------------------------------------------------------------------
    def submit(self, plan: Plan) -> Appeal:
        category = self.categories.get((plan.row.office, plan.row.category))
        return submission.submit(
            user=plan.person.user,
            title=plan.row.title,
            body=plan.row.text,
            category=category if plan.choose_category else None,
            is_anonymous=plan.anonymous,
            allow_identity_reveal=plan.reveal,
            allow_publish=plan.publish,
        )

    def truth(self, plan: Plan) -> Category:
        return self.categories[(plan.row.office, plan.row.category)]

    def wrong(self, plan: Plan) -> Category:
        office = CONFUSED_WITH.get(plan.row.office, "校工会办公室")
        options = [
            c for (o, _n), c in self.categories.items() if o == office and _n not in ("表扬", "意见建议")
        ]
        return options[0]

    def clerk(self, appeal: Appeal) -> Any:
        assert appeal.office_id is not None
        return self.office_staff[appeal.office_id][0]

    def fresh(self, appeal: Appeal) -> Appeal:
        return Appeal.objects.select_related("office", "category").get(pk=appeal.pk)

    def reply_text(self, appeal: Appeal) -> str:
        category = appeal.category.name if appeal.category else "意见建议"
        return "您好！关于您反映的“" + appeal.title + "”，" + CATEGORY_TEXTS[category][2]

    def route_truth(self, appeal: Appeal, plan: Plan, note: str = "") -> Appeal:
        """The union office's routing by the CSV's truth: from triage, or correcting/confirming an automatic
        routing."""
        appeal = self.fresh(appeal)
        truth = self.truth(plan)
        if appeal.status == Appeal.Status.TRIAGE or appeal.category_id != truth.pk:
            routing.route(actor=self.staff, appeal=appeal, category=truth, note=note)
        return self.fresh(appeal)

    # -- stories ----------------------------------------------------------------------------------------
    def history_story(self, plan: Plan) -> Generator[dt.datetime, None, None]:
        rng = self.rng
        window = (self.today - dt.timedelta(days=HISTORY_ENDS) - self.start).days
        day = self.start + dt.timedelta(days=rng.randrange(window))
        submitted = at(day, rng.choice([8, 10, 12, 15, 20, 21]), rng.randrange(60))
        yield submitted
        appeal = self.submit(plan)
        # The union office's morning triage.
        yield self.later(submitted, rng.choice([0, 1, 1]))
        appeal = self.fresh(appeal)
        if appeal.status == Appeal.Status.TRIAGE:
            target = self.wrong(plan) if plan.stage == "misroute" else self.truth(plan)
            routing.route(actor=self.staff, appeal=appeal, category=target)
        appeal = self.fresh(appeal)
        # The office acknowledges — or passes it back when it is not theirs, and the union office re-routes.
        moment = self.later(timezone.now(), rng.choice([0, 0, 1, 1, 1, 2, 2, 3]))
        yield moment
        appeal = self.fresh(appeal)
        if appeal.category_id != self.truth(plan).pk:
            routing.pass_back(
                actor=self.clerk(appeal),
                appeal=appeal,
                reason=PASS_BACK_REASON.format(office=plan.row.office),
                suggested_office=self.truth(plan).office,
            )
            yield self.later(moment, rng.choice([0, 1]))
            appeal = self.route_truth(appeal, plan, note="已核实，转" + plan.row.office + "办理。")
            yield self.later(timezone.now(), rng.choice([0, 1]))
            appeal = self.fresh(appeal)
        handling.acknowledge(actor=self.clerk(appeal), appeal=appeal)
        # The reply: usually in time, now and then late.
        sla = self.truth(plan).reply_working_days
        late = rng.random() < 0.08
        span = sla + rng.randint(1, 3) if late else rng.randint(1, max(1, sla - 2))
        yield self.later(timezone.now(), span, 10, 17)
        handling.reply(actor=self.clerk(appeal), appeal=appeal, text=self.reply_text(appeal))
        if plan.stage == "unrated":
            return
        rated = self.evening(timezone.localdate() + dt.timedelta(days=rng.randint(1, 5)))
        yield rated
        yield from self.rate(appeal, plan)
        appeal = self.fresh(appeal)
        if (
            plan.publish
            and appeal.status == Appeal.Status.CLOSED
            and plan.stage in ("closed", "reopen")
            and (rng.random() < 0.14 or plan.person == self.member)
        ):
            yield self.later(timezone.now(), rng.randint(2, 6))
            reply = appeal.replies.order_by("-round").first()
            faq.publish(
                actor=self.staff,
                appeal=appeal,
                question=appeal.body,
                answer=reply.text.replace("您好！", "") if reply else "",
            )

    def rate(self, appeal: Appeal, plan: Plan) -> Generator[dt.datetime, None, None]:
        rng, user = self.rng, plan.person.user
        if plan.stage in ("unsatisfied", "reopen"):
            submission.rate(
                user=user,
                appeal=appeal,
                score="unsatisfied",
                comment=rng.choice(UNSATISFIED_COMMENTS),
                reopen=plan.stage == "reopen",
            )
            if plan.stage != "reopen":
                return
            yield self.later(timezone.now(), rng.randint(2, 4), 10, 17)
            appeal = self.fresh(appeal)
            handling.reply(
                actor=self.clerk(appeal),
                appeal=appeal,
                text="您好！针对您的进一步意见，我们再次到现场核实，已制定整改计划并限期完成，完成后会当面向您反馈。",
            )
            yield self.evening(timezone.localdate() + dt.timedelta(days=rng.randint(1, 3)))
            submission.rate(user=user, appeal=appeal, score="basically", comment="第二次处理认真多了。")
            return
        score = "satisfied" if rng.random() < 0.66 else "basically"
        submission.rate(user=user, appeal=appeal, score=score, comment=rng.choice(SATISFIED_COMMENTS))

    def recent_story(self, plan: Plan) -> Generator[dt.datetime, None, None]:
        """An appeal of the last weeks, left at ``plan.stage`` (reached backwards from today's deadlines)."""
        rng, days, today = self.rng, self.days, self.today
        stage = plan.stage
        # The working day it is routed on, by the colour wanted.
        sla_reply = self.truth(plan).reply_working_days
        back = {
            "triage": 0,
            "passed_back": 3,
            "withdrawn": 3,
            "routed_yellow": rng.choice([0, 1]) if self.truth(plan).acknowledge_working_days > 1 else 0,
            "routed_red": rng.randint(3, 5),
            "progress_green": rng.randint(1, 2),
            "progress_yellow": max(sla_reply - 1, 2),
            "progress_red": sla_reply + rng.randint(1, 3),
            "replied": rng.randint(4, 7),
            "closed": rng.randint(8, 12),
            "reopened": sla_reply + 5,
        }[stage]
        base = today if days.working(today) else days.back(today, 1)
        routed_day = days.back(base, back)
        if stage == "triage":
            submitted = min(self.now - dt.timedelta(hours=rng.randint(2, 60)), self.now)
        else:
            submitted = at(routed_day, 8, rng.randrange(40)) - dt.timedelta(hours=rng.choice([0, 0, 12]))
        yield submitted
        appeal = self.submit(plan)
        if stage == "triage":
            return
        yield at(routed_day, 9, rng.randint(30, 59))
        if stage == "withdrawn":
            yield self.evening(routed_day)
            submission.withdraw(
                user=plan.person.user, appeal=self.fresh(appeal), reason="问题已自行解决，撤回。"
            )
            return
        if stage == "passed_back":
            appeal = self.fresh(appeal)
            if appeal.status == Appeal.Status.TRIAGE:
                routing.route(actor=self.staff, appeal=appeal, category=self.wrong(plan))
            appeal = self.fresh(appeal)
            if (
                appeal.category_id == self.truth(plan).pk
            ):  # the router was right, the union office thought not
                routing.route(actor=self.staff, appeal=appeal, category=self.wrong(plan))
            yield self.later(at(routed_day, 11), 1)
            routing.pass_back(
                actor=self.clerk(self.fresh(appeal)),
                appeal=self.fresh(appeal),
                reason=PASS_BACK_REASON.format(office=plan.row.office),
                suggested_office=self.truth(plan).office,
            )
            return
        appeal = self.route_truth(appeal, plan)
        if stage.startswith("routed"):
            return
        yield self.working_moment(
            routed_day if stage == "progress_green" else days.add(routed_day, 1), 10, 11
        )
        handling.acknowledge(actor=self.clerk(appeal), appeal=self.fresh(appeal))
        if stage.startswith("progress"):
            return
        replied = {"replied": rng.randint(1, 3), "closed": rng.randint(4, 6), "reopened": 6}[stage]
        yield at(days.back(today, replied), 15, rng.randrange(60))
        handling.reply(
            actor=self.clerk(appeal), appeal=self.fresh(appeal), text=self.reply_text(self.fresh(appeal))
        )
        if stage == "replied":
            return
        yield self.evening(days.back(today, replied - 1 if stage == "reopened" else replied - 2))
        if stage == "reopened":
            submission.rate(
                user=plan.person.user,
                appeal=self.fresh(appeal),
                score="unsatisfied",
                comment=UNSATISFIED_COMMENTS[1],
                reopen=True,
            )
            return
        submission.rate(
            user=plan.person.user,
            appeal=self.fresh(appeal),
            score="satisfied" if rng.random() < 0.7 else "basically",
            comment=rng.choice(SATISFIED_COMMENTS),
        )

    # -- running --------------------------------------------------------------------------------------
    def run(self, stories: list[Generator[dt.datetime, None, None]]) -> None:
        heap: list[tuple[dt.datetime, int, Generator[dt.datetime, None, None]]] = []

        def push(moment: dt.datetime, story: Generator[dt.datetime, None, None]) -> None:
            self.seq += 1
            heapq.heappush(heap, (moment, self.seq, story))

        for story in stories:
            push(next(story), story)
        while heap:
            moment, _, story = heapq.heappop(heap)
            self.set_clock(moment)
            self.last = max(self.last, moment)
            try:
                following = next(story)
            except StopIteration:
                following = None
            if self.retrain_pending:
                self.retrain_pending = False
                train_router(router=ROUTER, actor=None)
                self.trained += 1
            if following is not None:
                push(max(following, moment + dt.timedelta(minutes=1)), story)


def seed_appeals(*, staff: Any, root: OrgUnit, seed: int) -> dict[str, int]:
    """The appeals taxonomy, eight months of appeals handled to their end, the router trained on them, and
    the last weeks' appeals at every step (module docstring). ``staff`` is the union office login."""
    demo = AppealsDemo(staff=staff, root=root, seed=seed)
    taxonomy_data = read_taxonomy()
    rows = read_rows()
    ai_routing.clear_cache()
    with live(demo):
        demo.seed_offices(taxonomy_data)
        demo.seed_taxonomy(taxonomy_data)
        past, recent = demo.plan(rows)
        demo.run([demo.history_story(plan) for plan in past])
        # The union office retrains the router on the whole history before the last weeks.
        demo.set_clock(max(at(demo.days.back(demo.today, 17), 17, 30), demo.last + dt.timedelta(hours=1)))
        train_router(router=ROUTER, actor=staff)
        demo.run([demo.recent_story(plan) for plan in recent])
        # This morning's reminders and escalations (the daily job).
        demo.set_clock(at(demo.today, 8, 30))
        reminders.reminders_send(today=demo.today)
        demo.clock.moment = None
    # Old messages were read long ago: only the last fortnight's wait in the inboxes.
    Notification.objects.filter(
        kind__startswith="appeals.", read_at__isnull=True, created_at__lt=demo.now - dt.timedelta(days=14)
    ).update(read_at=demo.now - dt.timedelta(days=14))
    return {
        "categories": len(demo.categories),
        "appeals": Appeal.objects.count(),
        "published": Appeal.objects.exclude(published_at=None).count(),
        "router_versions": RouterModel.objects.filter(router=ROUTER).count(),
    }
