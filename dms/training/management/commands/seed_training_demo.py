"""Demo training: four courses — 产品知识 2027 (mandatory for tier 1 by a date, a quiz of five
questions), 门店销售技巧 (attendance required, an on-site session), 售后安装与维修规范
(mandatory for tier 2 within 60 days of activation) and 经销商合规经营 (videos and an online
session) — with sessions, registrations, quiz attempts and completions of about half of the
active distributors. dist1 (华南优选) has not completed 产品知识 2027 yet: it is left for the
demo (and the browser test). Idempotent: nothing is added once the first course exists."""

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.core.context import acting_as
from dms.distributors.models import Distributor, Tier
from dms.training import services
from dms.training.models import Course, Question

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
S, M, TF = Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE

COURSES = [
    {"title": "产品知识 2027", "category": Course.Category.PRODUCT, "pass_mark": 80, "max_attempts": 3,
     "description": "2027 年度全系列产品的定位、核心参数、卖点与常见问题。一级经销商须至少一人完成并通过测验。",
     "questions": [
         (S, "2027 款旗舰净水器 AquaPro X7 的整机保修期是多久？", [("1 年", False), ("2 年", False), ("3 年", True), ("5 年", False)]),
         (M, "以下哪些属于 X7 的核心卖点？", [("RO 反渗透 + 矿化双滤芯", True), ("一键智能冲洗", True), ("需要每月更换滤芯", False), ("APP 实时水质监测", True)]),
         (TF, "X7 的 RO 滤芯建议更换周期为 24 个月。", [("正确", True), ("错误", False)]),
         (S, "向客户推荐 X7 时，首先应了解客户的什么信息？", [("家庭用水人数与水质情况", True), ("客户的职业", False), ("客户的车型", False)]),
         (TF, "经销商可以自行调整产品的建议零售价并对外宣传。", [("正确", False), ("错误", True)]),
     ],
     "materials": [("document", "2027 产品手册（PDF）", ""), ("video", "X7 产品讲解视频", "https://video.example.com/x7-intro"),
                   ("link", "产品参数对比表（在线）", "https://docs.example.com/2027-specs")],
     "sessions": [("online", 12, 200, "", "https://meeting.example.com/product-2027-a"),
                  ("online", 26, 200, "", "https://meeting.example.com/product-2027-b")]},
    {"title": "门店销售技巧", "category": Course.Category.SALES, "pass_mark": 60, "max_attempts": 0,
     "requires_session": True,
     "description": "门店陈列、客户接待与需求挖掘、异议处理和成交技巧。须到场参加一次线下培训。",
     "questions": [
         (S, "客户说“太贵了”时，第一步应该？", [("立即打折", False), ("了解客户比较的对象和预算", True), ("结束对话", False)]),
         (M, "良好的门店陈列应做到？", [("主推产品放在视线高度", True), ("价格标签清晰", True), ("样机常年不通电", False)]),
         (TF, "成交后应主动告知客户安装预约与售后服务渠道。", [("正确", True), ("错误", False)]),
     ],
     "materials": [("link", "门店陈列标准（在线）", "https://docs.example.com/store-display")],
     "sessions": [("on_site", 10, 30, "广州市天河区体育西路 103 号 维多利广场 B 座 18 楼培训室", ""),
                  ("on_site", 24, 30, "深圳市南山区科技园南区 高新南七道 12 号 3 楼", "")]},
    {"title": "售后安装与维修规范", "category": Course.Category.SERVICE, "pass_mark": 60, "max_attempts": 0,
     "description": "标准安装流程、首次通水检测、常见故障判断与上门服务礼仪。",
     "questions": [
         (S, "安装完成后首次通水需要冲洗多长时间？", [("1 分钟", False), ("5 分钟", True), ("不需要冲洗", False)]),
         (M, "上门安装前需要确认？", [("进水压力", True), ("电源与接地", True), ("客户的收入", False)]),
         (TF, "更换滤芯时可以不关闭进水阀。", [("正确", False), ("错误", True)]),
     ],
     "materials": [("document", "安装作业指导书（PDF）", "")],
     "sessions": []},
    {"title": "经销商合规经营", "category": Course.Category.COMPLIANCE, "pass_mark": 60, "max_attempts": 0,
     "requires_session": True,
     "description": "价格管控、窜货管理、广告宣传与个人信息保护的合规要求。参加线上讲座即完成。",
     "questions": [],
     "materials": [("video", "合规经营要点（视频）", "https://video.example.com/compliance-2027"),
                   ("link", "经销商管理办法", "https://docs.example.com/dealer-policy")],
     "sessions": [("online", 5, 500, "", "https://meeting.example.com/compliance")]},
]


class Command(BaseCommand):
    help = "Load the training demo data (idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            if Course.objects.filter(title=COURSES[0]["title"]).exists():
                return
            admin = User.objects.filter(username="admin").first()
            with acting_as(admin), transaction.atomic():
                courses = [self.course(spec, admin) for spec in COURSES]
                tier1, tier2 = Tier.objects.get(level=1), Tier.objects.get(level=2)
                today = timezone.localdate()
                services.add_mandate(course_id=courses[0].pk, tier=tier1, due_date=today + dt.timedelta(days=40),
                                     actor=admin)
                services.add_mandate(course_id=courses[2].pk, tier=tier2, within_days=60, actor=admin)
                self.activity(courses)

    def course(self, spec, admin) -> Course:
        course = services.save_course(data={k: spec.get(k, False) for k in (
            "title", "category", "description", "pass_mark", "max_attempts", "requires_session")}, actor=admin)
        for kind, text, options in spec["questions"]:
            services.save_question(course_id=course.pk, kind=kind, text=text, options=options, actor=admin)
        for kind, title, url in spec["materials"]:
            services.add_material(course_id=course.pk, kind=kind, title=title, url=url, actor=admin,
                                  file=ContentFile(PDF, name="manual.pdf") if kind == "document" else None)
        start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
        for mode, days, capacity, place, link in spec["sessions"]:
            begins = start + dt.timedelta(days=days)
            services.add_session(course_id=course.pk, mode=mode, starts_at=begins,
                                 ends_at=begins + dt.timedelta(hours=2), capacity=capacity, place=place,
                                 meeting_link=link, actor=admin)
        services.set_course_status(course_id=course.pk, status=Course.Status.PUBLISHED, actor=admin)
        return course

    def activity(self, courses):
        """About half of the active distributors' first users pass the quizzes; some fail once;
        every third registers for the first on-site session."""
        rnd = random.Random(2027)
        product, sales, service, _compliance = courses
        active = list(Distributor.objects.filter(status=Distributor.Status.ACTIVE).order_by("pk"))
        for index, d in enumerate(active):
            user = d.users.filter(is_active=True).order_by("pk").first()
            if user is None:
                continue
            if index == 0:  # dist1: one failed attempt by the staff user, the course left to do
                staff = d.users.filter(username="dist1_staff").first() or user
                services.submit_quiz(course_id=product.pk, user=staff, answers=wrong(product))
                continue
            for course in (product, service):
                if rnd.random() < 0.55:
                    if rnd.random() < 0.3:
                        services.submit_quiz(course_id=course.pk, user=user, answers=wrong(course))
                    services.submit_quiz(course_id=course.pk, user=user, answers=right(course))
            if index % 3 == 1:
                services.register(session_id=sales.sessions.first().pk, user=user)


def right(course) -> dict:
    return {str(q.pk): [o.pk for o in q.options.all() if o.is_correct] for q in course.questions.all()}


def wrong(course) -> dict:
    return {str(q.pk): [o.pk for o in q.options.all() if not o.is_correct][:1] for q in course.questions.all()}
