"""A small labelled Chinese set for fast router tests, generated from templates (no external data).

Four labels × 25 short, varied appeals; ``SEEDS`` are the taxonomy-like descriptions + keywords + names.
"""

from __future__ import annotations

import random

LABELS = ("canteen", "parking", "salary", "network")

_TOPICS = {
    "canteen": {
        "things": [
            "食堂饭菜",
            "餐厅菜品",
            "食堂早餐",
            "教工餐厅",
            "食堂的米饭",
            "窗口打饭",
            "食堂价格",
            "午餐的菜",
        ],
        "problems": [
            "太贵了",
            "味道太咸",
            "不新鲜",
            "分量太少",
            "卫生不好",
            "排队太久",
            "品种太单一",
            "经常凉了",
        ],
        "asks": ["希望后勤改进", "请饮食中心处理", "建议增加菜品", "希望降低价格", "请加强卫生检查"],
    },
    "parking": {
        "things": [
            "校内停车位",
            "地下车库",
            "电动车充电桩",
            "东门停车场",
            "教学楼前的车位",
            "校园道路",
            "非机动车棚",
        ],
        "problems": [
            "不够用",
            "经常被外来车辆占用",
            "收费不合理",
            "晚上没有照明",
            "太拥挤",
            "充电排队",
            "乱停乱放",
        ],
        "asks": ["希望保卫处管理", "建议增加车位", "请规范停车秩序", "希望延长开放时间", "请安装更多充电桩"],
    },
    "salary": {
        "things": [
            "绩效工资",
            "职称评审后的工资",
            "年终奖金",
            "住房公积金",
            "加班补贴",
            "社保缴费基数",
            "工资条",
        ],
        "problems": [
            "发放延迟",
            "计算有误",
            "迟迟没有调整",
            "标准不透明",
            "少发了",
            "没有说明",
            "与文件不一致",
        ],
        "asks": ["请人事处核实", "希望财务处解释", "请尽快补发", "希望公开发放标准", "请答复调整时间"],
    },
    "network": {
        "things": ["办公室网络", "校园无线网", "宿舍宽带", "教务系统", "邮箱系统", "VPN", "办公电脑的网速"],
        "problems": ["经常断线", "速度太慢", "登录不上", "晚上无法访问", "频繁掉线", "认证失败", "信号很弱"],
        "asks": ["请信息中心检修", "希望升级带宽", "建议扩容服务器", "请尽快修复", "希望增加无线热点"],
    },
}

SEEDS = [
    ("食堂 饭菜 菜品 餐厅 价格 卫生 饮食服务 食堂与餐饮", "canteen"),
    ("停车 车位 车库 充电桩 交通 门禁 停车与交通", "parking"),
    ("工资 绩效 奖金 公积金 社保 补贴 薪酬待遇", "salary"),
    ("网络 无线 宽带 系统 邮箱 登录 网速 信息化服务", "network"),
]


def examples(per_label: int = 25, seed: int = 0) -> list[tuple[str, str]]:
    """``per_label`` distinct sentences per label, shuffled deterministically."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for label in LABELS:
        topic = _TOPICS[label]
        seen: set[str] = set()
        while len(seen) < per_label:
            thing, problem, ask = (rng.choice(topic[key]) for key in ("things", "problems", "asks"))
            shape = rng.randrange(3)
            if shape == 0:
                text = f"{thing}{problem}，{ask}"
            elif shape == 1:
                text = f"关于{thing}{problem}的问题"
            else:
                text = f"最近{thing}{problem}，{ask}。"
            seen.add(text)
        out.extend((text, label) for text in sorted(seen))
    rng.shuffle(out)
    return out


class FakeOwner:
    """A router owner for the tests: registers ``name`` with mutable examples and seeds."""

    def __init__(self, name: str = "test", examples: list | None = None, seeds: list | None = None) -> None:
        from smartunion.ai.registry import RouterSpec, TrainingData, routers

        self.name = name
        self.examples = list(examples or [])
        self.seeds = list(SEEDS if seeds is None else seeds)
        self.calls = 0

        def training_data() -> TrainingData:
            self.calls += 1
            return TrainingData(examples=list(self.examples), seeds=list(self.seeds))

        routers.register(RouterSpec(name=name, label=f"Test router {name}", training_data=training_data))

    def close(self) -> None:
        from smartunion.ai.registry import routers
        from smartunion.ai.services.routing import clear_cache

        routers.unregister(self.name)
        clear_cache()
