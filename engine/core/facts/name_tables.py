"""Vocabulary for name matching: legal forms, generic words, place names, query noise.

Kept apart from the matcher (matching.py) so that a reader can check the words without reading
the aligner. These are not legal rules (those live in rules/): they say which words of a name
say little about who a party is. Sources: the legal-form lists of the major company registers
(written from public knowledge, in the spirit of OpenSanctions' rigour org-types table, whose
package is not used: see docs/screening.md), and the pinyin of common Chinese company-name words.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Single-word legal forms and connectives, dropped from both sides.
LEGAL_FORMS = frozenset(
    _words(
        """co company corp corporation inc incorporated ltd limited llc plc lp llp gmbh ag sa sas srl spa
    bv nv oy oyj ab as asa jsc pjsc ojsc cjsc ooo oao zao pao ao pte pty kk sdn bhd fze fzco fzc fzllc
    the and of ou oü sro kft zrt rt ltda sarl lda eirl pvt tov kg ohg ug
    gongsi youxian gufen jituan konggu"""
    )
)
# Multi-word legal forms (after punctuation is removed), dropped before the words are split;
# the longest first, so that "public joint stock company" is not left as "public".
LEGAL_PHRASES = tuple(
    sorted(
        (
            "public joint stock company",
            "closed joint stock company",
            "open joint stock company",
            "joint stock company",
            "joint stock commercial bank",
            "limited liability company",
            "limited liability partnership",
            "public limited company",
            "private limited company",
            "company limited",
            "co ltd",
            "corp ltd",
            "publichnoe aktsionernoe obshchestvo",
            "publichnoye aktsionernoye obshchestvo",
            "otkrytoe aktsionernoe obshchestvo",
            "zakrytoe aktsionernoe obshchestvo",
            "aktsionernoe obshchestvo",
            "aktsionernoye obshchestvo",
            "obshchestvo s ogranichennoy otvetstvennostyu",
            "obshchestvo s ogranichennoi otvetstvennostiu",
            "obshchestvo s ogranichennoj otvetstvennostju",
            "gufen youxian gongsi",
            "youxian zeren gongsi",
            "youxian gongsi",
            "gesellschaft mit beschrankter haftung",
            "gesellschaft mit beschränkter haftung",
            "societe anonyme",
            "société anonyme",
            "sociedad anonima",
            "sociedad anónima",
            "societa per azioni",
            "kabushiki kaisha",
            "sp z oo",
        ),
        key=len,
        reverse=True,
    )
)
# Legal forms in Chinese characters (simplified: traditional names are folded first).
HAN_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "(集团)", "（集团）", "集团", "公司")

# Words common to many organisation names: they weigh little (GENERIC_WEIGHT in matching.py).
GENERIC_WORDS = frozenset(
    _words(
        """technology technologies tech international intl trading trade group holding holdings industry
    industries industrial global science scientific electronics electronic digital system systems
    research institute development engineering equipment import export investment network networks
    software information communication communications service services semiconductor intelligent
    intelligence bank enterprise enterprises logistics shipping energy machinery materials products
    solutions new general national state university security public bureau municipal province
    provincial logistic material product solution oil gas petroleum academy sciences science college
    polytechnic polytechnical center centre laboratory laboratories lab labs computing manufacturing
    corporation concern defense defence commercial
    microelectronics aviation aerospace innovation innovations telecom
    telecommunications media chemical chemicals pharmaceutical instruments instrument
    keji jishu xinxi zhineng wangluo dianzi shuzi guoji zhongguo daxue gongye yanjiusuo yanjiuyuan
    kexueyuan kexue chuangxin fazhan maoyi touzi shiye zhizao shebei zhuangbei ruanjian tongxin
    nengyuan cailiao gongcheng fuwu bandaoti xitong dianqi jixie hangkong hangtian yiqi xueyuan
    zhongke"""
    )
)
# Place names: as generic as the words above. A name made of a place and generic words says
# nothing about which listed party it is (provinces and large cities of China, countries and
# large cities of the lists' main countries).
PLACE_WORDS = frozenset(
    _words(
        """china chinese beijing shanghai tianjin chongqing hebei shanxi liaoning jilin heilongjiang jiangsu
    zhejiang anhui fujian jiangxi shandong henan hubei hunan guangdong hainan sichuan guizhou yunnan
    shaanxi gansu qinghai taiwan guangxi xizang tibet ningxia xinjiang hong kong macau macao shenzhen
    hangzhou guangzhou wuhan chengdu nanjing xian suzhou xiamen hefei wuxi changchun harbin haerbin
    dalian qingdao ningbo changsha zhengzhou jinan shenyang kunming fuzhou zhuhai dongguan foshan
    shijiazhuang taiyuan nanchang lanzhou urumqi mianyang sz hk prc russia russian moscow
    petersburg saint st novosibirsk yekaterinburg kazan iran iranian tehran isfahan shiraz tabriz
    korea korean dprk pyongyang syria syrian damascus belarus minsk asia europe european middle east
    west western north northern south southern eastern northwest northwestern northeast
    northeastern southwest southwestern southeast southeastern america american dubai sharjah abu dhabi
    emirates uae istanbul ankara turkey almaty astana kazakhstan tashkent uzbekistan yerevan armenia baku
    azerbaijan tbilisi georgia bishkek kyrgyzstan singapore malaysia kuala lumpur thailand bangkok india
    mumbai delhi pakistan karachi lahore germany london cyprus limassol nicosia hongkong"""
    )
)
HAN_PLACES = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "广西",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "杭州",
    "广州",
    "武汉",
    "成都",
    "南京",
    "西安",
    "苏州",
    "厦门",
    "合肥",
    "无锡",
    "长春",
    "哈尔滨",
    "大连",
    "青岛",
    "宁波",
    "长沙",
    "郑州",
    "济南",
    "沈阳",
    "昆明",
    "福州",
    "珠海",
    "东莞",
    "市",
    "省",
)
# Generic words in characters (set aside before names in characters are compared).
HAN_GENERIC = (
    "半导体",
    "研究所",
    "研究院",
    "科学院",
    "科技",
    "技术",
    "股份",
    "集团",
    "中国",
    "国际",
    "电子",
    "信息",
    "数字",
    "创新",
    "大学",
    "智能",
    "网络",
    "通信",
    "软件",
    "电气",
    "能源",
    "材料",
    "工程",
    "工业",
    "实业",
    "贸易",
    "投资",
    "控股",
    "发展",
    "科学",
    "学院",
    "设备",
    "装备",
    "制造",
    "系统",
    "中科",
)
# The same sense in other words: abbreviations, pinyin and English for generic words. Applied by
# the aligner when it pairs words (the written forms stay as they are, so joined forms still meet).
SENSE = {
    "tech": "technology",
    "keji": "technology",
    "jishu": "technology",
    "intl": "international",
    "guoji": "international",
    "grp": "group",
    "mfg": "manufacturing",
    "zhizao": "manufacturing",
    "svcs": "service",
    "srvces": "service",
    "fuwu": "service",
    "elec": "electronics",
    "dianzi": "electronics",
    "univ": "university",
    "daxue": "university",
    "xinxi": "information",
    "zhineng": "intelligent",
    "wangluo": "network",
    "shuzi": "digital",
    "zhongguo": "china",
    "gongye": "industrial",
    "industry": "industrial",
    "yanjiusuo": "institute",
    "yanjiuyuan": "institute",
    "kexueyuan": "academy",
    "kexue": "science",
    "scientific": "science",
    "chuangxin": "innovation",
    "fazhan": "development",
    "maoyi": "trading",
    "trade": "trading",
    "touzi": "investment",
    "shebei": "equipment",
    "zhuangbei": "equipment",
    "ruanjian": "software",
    "tongxin": "communication",
    "nengyuan": "energy",
    "cailiao": "material",
    "gongcheng": "engineering",
    "bandaoti": "semiconductor",
    "xitong": "system",
    "dianqi": "electric",
    "hangkong": "aviation",
    "hangtian": "aerospace",
    "haerbin": "harbin",
    "polytechnic": "polytechnical",
    "laboratory": "lab",
    "laboratorie": "lab",
    "centre": "center",
    "defence": "defense",
}
# Words that mark a part of a query as a department, an attention line or an address: they
# weigh almost nothing in a query (a listed name rarely has them).
NOISE_WORDS = frozenset(
    _words(
        """attn attention dept department division office branch procurement purchasing sales accounts
    payable receivable head headquarter c o care mr mrs ms dr
    street st road rd avenue ave floor building bldg park district no suite room unit zone"""
    )
)
# Words that open an attention line or a "care of" before the party's name.
ATTENTION_OPENERS = ("attn", "attention", "c/o", "care of", "to:", "for:")
# Compound direction words split into their parts when an acronym is derived (North-Western).
ACRONYM_SPLITS = {
    "northwestern": ("north", "western"),
    "northeastern": ("north", "eastern"),
    "southwestern": ("south", "western"),
    "southeastern": ("south", "eastern"),
}
