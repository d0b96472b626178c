"""The invented university behind the demo: 江海大学 and its union tree. Names are real-looking, the
university and every person are fictional."""

from __future__ import annotations

UNIVERSITY = "江海大学"
ROOT_UNION = "江海大学工会"

# (name, short name, unit kind, union level, relative size, post type mix) — the second level.
# Relative size weights how many of the demo's staff work there.
BRANCHES: list[tuple[str, str, str, str, int, str]] = [
    ("机械工程学院", "机械学院", "学院", "branch", 9, "academic"),
    ("电气工程学院", "电气学院", "学院", "branch", 7, "academic"),
    ("信息科学技术学院", "信息学院", "学院", "branch", 8, "academic"),
    ("计算机科学与技术学院", "计算机学院", "学院", "branch", 7, "academic"),
    ("化学化工学院", "化工学院", "学院", "branch", 6, "academic"),
    ("材料科学与工程学院", "材料学院", "学院", "branch", 5, "academic"),
    ("建筑工程学院", "建工学院", "学院", "branch", 6, "academic"),
    ("数学与统计学院", "数学院", "学院", "branch", 5, "academic"),
    ("物理科学与技术学院", "物理学院", "学院", "branch", 4, "academic"),
    ("外国语学院", "外语学院", "学院", "branch", 6, "academic"),
    ("文学院", "文学院", "学院", "branch", 5, "academic"),
    ("经济与管理学院", "经管学院", "学院", "branch", 7, "academic"),
    ("马克思主义学院", "马院", "学院", "branch", 4, "academic"),
    ("医学院", "医学院", "学院", "branch", 10, "academic"),
    ("药学院", "药学院", "学院", "branch", 4, "academic"),
    ("公共卫生学院", "公卫学院", "学院", "branch", 4, "academic"),
    ("护理学院", "护理学院", "学院", "branch", 4, "academic"),
    ("体育科学学院", "体育学院", "学院", "branch", 3, "academic"),
    ("艺术学院", "艺术学院", "学院", "branch", 4, "academic"),
    ("教育科学学院", "教科院", "学院", "branch", 4, "academic"),
    ("继续教育学院", "继教院", "学院", "branch", 2, "office"),
    ("机关", "机关分工会", "机关处室", "branch", 10, "office"),
    ("后勤管理处", "后勤处", "直属单位", "branch", 8, "support"),
    ("图书馆", "图书馆", "直属单位", "branch", 3, "office"),
    ("现代教育技术中心", "网络中心", "直属单位", "branch", 2, "office"),
    ("校医院", "校医院", "附属单位", "branch", 2, "support"),
    ("离退休工作处", "离退休处", "直属单位", "branch", 1, "office"),
    ("档案馆", "档案馆", "直属单位", "direct_group", 1, "office"),
    ("国际合作与交流处", "国际处", "机关处室", "direct_group", 1, "office"),
    ("学报编辑部", "学报", "直属单位", "direct_group", 1, "office"),
]

# Other spellings HR sheets use for some units.
EXTRA_ALIASES = {
    "机械工程学院": ["机械学院分工会", "机械系"],
    "后勤管理处": ["后勤", "后勤服务中心"],
    "信息科学技术学院": ["信息科技学院"],
    "机关": ["校机关", "机关党委"],
    "现代教育技术中心": ["信息化中心"],
}

# Union groups (工会小组) under the 机关 sub-union: one per office.
OFFICES = [
    "党政办公室",
    "组织人事部",
    "教务处",
    "科学技术处",
    "财务处",
    "学生工作处",
    "国有资产管理处",
    "审计处",
    "招生就业处",
]
GROUPS_ACADEMIC = ["第一工会小组", "第二工会小组", "第三工会小组", "行政教辅工会小组"]
GROUPS_SMALL = ["第一工会小组", "第二工会小组"]
GROUPS_SUPPORT = ["物业服务工会小组", "餐饮服务工会小组", "维修工会小组"]

# Surnames roughly by frequency, with the ones common around Nantong and Xuzhou weighted in.
SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐徐徐孙孙马朱朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈沈姚卢姜崔钟谭陆陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛顾顾钱"
    "缪季瞿葛施钱严戴陶龚万汤殷邵仇"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官"]
GIVEN_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
GIVEN_FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"

# Region codes (first six digits of the ID number): mostly Nantong and Jiangsu, some from elsewhere.
REGIONS = [
    "320602",
    "320602",
    "320611",
    "320612",
    "320623",
    "320681",
    "320682",
    "320684",
    "320685",
    "320102",
    "320106",
    "320311",
    "320382",
    "321002",
    "320502",
    "320583",
    "321102",
    "110105",
    "310104",
    "340104",
    "370102",
    "410105",
    "420106",
    "510107",
    "330106",
    "430104",
    "610113",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "186",
    "187",
    "188",
    "189",
    "173",
    "177",
    "199",
]

# Staff category shares (of in-service staff) and the share of retirees overall.
CATEGORY_SHARES = [("在编", 0.70), ("人事代理", 0.16), ("合同制", 0.10), ("劳务派遣", 0.04)]
RETIRED_SHARE = 0.10
DEMO_PASSWORD = "Demo@2026"
