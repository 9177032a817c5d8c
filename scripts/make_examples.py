"""Regenerate the binary example inputs in ``examples/`` from text kept in this script.

Builds, byte-for-byte reproducibly:

* ``examples/partnership_agreement.docx`` (python-docx): a memorandum of understanding
  between a fictional ICB and a VCSE alliance for end-of-life care (collaborative pole);
* ``examples/grant_terms.pdf`` (reportlab): grant terms and conditions for a fictional
  learning-disability community fund, co-design language alongside monitoring, targets
  and clawback (mixed).

All text is composed for the examples; the bodies named are fictional. Run with::

    python scripts/make_examples.py            # writes into examples/
    python scripts/make_examples.py --out DIR  # writes into DIR instead

The other example files (``.txt``, ``.vtt``, ``.html``, ``cases/``) are plain text kept
in the repository as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

FIXED_DATETIME = dt.datetime(2025, 5, 15, 9, 0, 0)
"""Creation/modification date written into both files' metadata."""

ZIP_DATE_TIME = (2025, 5, 15, 9, 0, 0)
"""Timestamp given to every member of the .docx zip (python-docx would use the clock)."""

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# --------------------------------------------------------------------------------------
# Text of the partnership agreement (.docx)
# Each item is (kind, content): "title", "subtitle", "h1", "p", "bullets", "table", "sign".
# --------------------------------------------------------------------------------------

MOU_HEADER = "Northfield ICB and Northfield End of Life Care VCSE Alliance | Memorandum of Understanding"
MOU_FOOTER = "Version 1.0, agreed 15 May 2025 | Composed example document | Page "

MOU: list[tuple[str, object]] = [
    ("title", "Memorandum of Understanding"),
    (
        "subtitle",
        "between Northfield Integrated Care Board and the Northfield End of Life Care VCSE Alliance: "
        "working together for people at the end of life, their families and carers, 2025 to 2030",
    ),
    ("h1", "1. The parties"),
    (
        "p",
        "This memorandum is made between Northfield Integrated Care Board (\"the ICB\") and the members of the "
        "Northfield End of Life Care VCSE Alliance (\"the Alliance\"): Riverside Hospice, St Aidan's Hospice, "
        "Harbourside CVS, Northfield Carers' Centre, Compassionate Northfield CIC, Fairhaven Bereavement Support "
        "and the Northfield Faith Forum. Together they are referred to as \"the partners\".",
    ),
    ("h1", "2. Purpose and status"),
    (
        "p",
        "The purpose of this memorandum is to record how the partners have agreed to work together to improve "
        "care and support for people approaching the end of life in Northfield, and for the people who care "
        "for them and are bereaved. It sets out a shared vision, the principles we will hold to, how decisions "
        "will be made and how the work will be resourced.",
    ),
    (
        "p",
        "This memorandum is not a legally binding contract. It is a statement of intent and of the spirit in "
        "which the partners will work. Its strength lies in the commitment of each partner to the relationship "
        "it describes, and the partners will review it together each year.",
    ),
    ("h1", "3. Our shared vision"),
    (
        "p",
        "We want everyone in Northfield who is approaching the end of life to be cared for with dignity, in the "
        "place they choose, by people who know them and by a community that does not look away. We want "
        "families and carers to be supported before and after a death, and no one to face dying or grief alone. "
        "No single organisation can achieve this; it depends on the NHS, hospices, community groups, faith "
        "communities and neighbours working as one system.",
    ),
    ("h1", "4. Principles"),
    ("p", "In working together the partners agree to:"),
    (
        "bullets",
        [
            "treat one another as equal partners, each bringing different knowledge, resources and relationships;",
            "plan, design and review services together with people who have lived experience of dying, caring "
            "and bereavement;",
            "be open with one another, share information early and assume good intent;",
            "recognise the whole contribution of the voluntary and community sector, including what is given "
            "freely by volunteers and communities;",
            "make decisions as close as possible to the people and neighbourhoods they affect.",
        ],
    ),
    ("h1", "5. Co-production with people and communities"),
    (
        "p",
        "The partners will establish a Lived Experience Group of people with a life-limiting illness, carers "
        "and bereaved people, supported by Harbourside CVS. The group will take part in every stage of the "
        "work: identifying needs, designing changes, deciding priorities for investment and judging whether "
        "things are getting better. Members will be offered training, and their expenses and time will be "
        "paid. No new service or significant change will be agreed by the Partnership Board without first "
        "being shaped with the group.",
    ),
    ("h1", "6. Joint decision-making: the End of Life Care Partnership Board"),
    (
        "p",
        "The End of Life Care Partnership Board is the place where the partners make decisions together. It "
        "will be co-chaired by the ICB's Director of Nursing and a chief executive nominated by the Alliance, "
        "and will meet every two months. Its members are one senior representative from each partner and two "
        "members of the Lived Experience Group.",
    ),
    (
        "p",
        "The Board will agree the priorities of the partnership, the allocation of the ICB's investment in "
        "voluntary sector end-of-life care and the learning programme. Agendas will be set jointly by the "
        "co-chairs and papers will be written jointly wherever possible. Decisions will be reached by "
        "consensus. The ICB will not take decisions about this investment outside the Board, and will bring "
        "any wider ICB proposals affecting end-of-life care to the Board for discussion at an early stage.",
    ),
    ("h1", "7. What each partner brings"),
    (
        "p",
        "The partners recognise that the Alliance brings to the system resources that the ICB could not "
        "provide on its own. The table below records the main contributions each partner has agreed to bring.",
    ),
    (
        "table",
        [
            ["Partner", "What it brings to the partnership"],
            [
                "Northfield ICB",
                "Core grant funding; clinical leadership; links with primary care, community nursing and the acute "
                "trust; data and population health analysis",
            ],
            [
                "Riverside Hospice and St Aidan's Hospice",
                "Specialist palliative care expertise; education for care homes; around 900 volunteers; "
                "charitable income invested in local care",
            ],
            [
                "Harbourside CVS",
                "Hosting of the Alliance and the Lived Experience Group; links with over 300 community groups; "
                "volunteer recruitment and training",
            ],
            [
                "Northfield Carers' Centre",
                "Knowledge of carers' needs; carers' assessments and peer support; a carers' voice on the Board",
            ],
            [
                "Compassionate Northfield CIC and Fairhaven Bereavement Support",
                "Compassionate neighbours and bereavement volunteers; reach into neighbourhoods where few people "
                "use hospice services",
            ],
            [
                "Northfield Faith Forum",
                "Trusted relationships with mosques, gurdwaras, temples and churches; support around death, "
                "funerals and mourning practices",
            ],
        ],
    ),
    ("h1", "8. Recognising volunteers and community reach"),
    (
        "p",
        "More than 1,100 volunteers give their time to end-of-life care in Northfield, as companions, drivers, "
        "befrienders, bereavement supporters and shop volunteers. The ICB acknowledges that the system relies "
        "on this contribution and on the trust that Alliance members hold in communities the NHS has struggled "
        "to reach, including South Asian communities in the east of the borough, Gypsy and Traveller families "
        "and people experiencing homelessness. The partners will plan together how volunteering is supported, "
        "and the ICB will include the costs of volunteer training and expenses in its grant funding.",
    ),
    ("h1", "9. Resourcing the partnership"),
    (
        "p",
        "The ICB will provide core grant funding to Alliance members for five years from April 2025, allocated "
        "by the Partnership Board. Allocations will be confirmed at least six months before the start of each "
        "financial year and uplifted each year in line with the NHS funding uplift. The ICB will also fund a "
        "part-time Alliance coordinator, hosted by Harbourside CVS, so that smaller members can take a full "
        "part in the partnership. Grant agreements will be short and written in plain English, and will rest on "
        "the shared learning described below rather than on separate reporting to the ICB.",
    ),
    ("h1", "10. Shared learning"),
    (
        "p",
        "The partners will agree a small set of shared questions about what is changing for people and "
        "communities, and will answer them together using stories, conversations and data that partners "
        "already hold. Each year the Alliance and the ICB will host an open learning event, and the Lived "
        "Experience Group will lead a review of what has been learned. Where things go wrong, the partners will "
        "look at them openly and together, with the aim of learning rather than assigning blame.",
    ),
    ("h1", "11. Working through differences"),
    (
        "p",
        "Disagreements will be raised early and in person. If they cannot be resolved between the people "
        "involved, the co-chairs will meet to find a way forward, and may invite an independent facilitator "
        "agreed by both.",
    ),
    ("h1", "12. Review"),
    (
        "p",
        "This memorandum covers the period April 2025 to March 2030. The Partnership Board will review it each "
        "year. Any partner may withdraw after discussion at the Board and six months' notice.",
    ),
    (
        "sign",
        [
            "Signed for Northfield Integrated Care Board: Chief Executive",
            "Signed for the Northfield End of Life Care VCSE Alliance: Chair of the Alliance",
            "Date: 15 May 2025",
        ],
    ),
]

# --------------------------------------------------------------------------------------
# Text of the grant terms (.pdf)
# --------------------------------------------------------------------------------------

GRANT_HEADER = "Westbrook Borough Council | Learning Disability Community Fund 2025-2028 | Grant Terms and Conditions"
GRANT_TITLE = "Learning Disability Community Fund 2025-2028: Grant Terms and Conditions"

GRANT: list[tuple[str, object]] = [
    ("title", GRANT_TITLE),
    (
        "p",
        "Westbrook Borough Council. Issued May 2025. Composed example document: the council, the Fund and all "
        "names are fictional.",
    ),
    ("h1", "1. About the Fund"),
    (
        "p",
        "The Learning Disability Community Fund provides grants of between £5,000 and £40,000 a year, for up to "
        "three years, to voluntary and community organisations that help adults with learning disabilities in "
        "Westbrook to live good lives in their communities. The total value of the Fund is £450,000 over three "
        "years.",
    ),
    (
        "p",
        "The Fund was co-designed with the Westbrook Learning Disability Partnership Board, the self-advocacy "
        "group Speak Up Westbrook and family carers. Over a series of workshops they chose its three priorities "
        "(friendships and relationships, getting out and about, and being heard) and helped write the outcomes "
        "in Schedule 1. Self-advocates sit on the panel that decides awards, and an easy read version of these "
        "terms is available.",
    ),
    ("h1", "2. Definitions"),
    (
        "p",
        "In these terms, \"the Council\" means Westbrook Borough Council; \"the Grantee\" means the organisation "
        "named in the offer letter; \"the Project\" means the activity described in the Grantee's approved "
        "application; \"the Grant\" means the money offered for the Project; and \"Grant Period\" means the "
        "period stated in the offer letter.",
    ),
    ("h1", "3. Use of the Grant"),
    (
        "p",
        "3.1 The Grantee must use the Grant only for the Project and in line with the budget in its approved "
        "application. Any change of more than 10% between budget headings needs the Council's written agreement.",
    ),
    (
        "p",
        "3.2 The Grant must not be used for: activities that promote a political party or a particular religious "
        "belief; costs already met from another source; repaying loans; fundraising; or buying property. "
        "Equipment costing more than £1,000 bought with the Grant must be recorded and must not be sold during "
        "the Grant Period without the Council's consent.",
    ),
    ("h1", "4. Payment"),
    (
        "p",
        "4.1 The Grant will be paid in quarterly instalments in advance. The first instalment will be paid when "
        "the Council receives this agreement signed by the Grantee. Each later instalment will be paid only when "
        "the Council has received and accepted the monitoring return for the previous quarter.",
    ),
    (
        "p",
        "4.2 Funding for the second and third years depends on the Council's budget being approved and on the "
        "Grantee's satisfactory progress towards the agreed outcome targets.",
    ),
    ("h1", "5. Outcomes and targets"),
    (
        "p",
        "5.1 The outcomes for the Project, and the targets against which progress will be measured, are set out "
        "in Schedule 1. They were agreed between the Council and the Grantee at a co-design session attended by "
        "people who will take part in the Project, and will be reviewed together at the end of each year.",
    ),
    (
        "p",
        "5.2 The Grantee must take all reasonable steps to meet the targets. It must tell the Council promptly if "
        "it expects to miss any target by more than 25%, explaining why and what it proposes to do.",
    ),
    ("h1", "6. Monitoring and reporting"),
    (
        "p",
        "6.1 The Grantee must send the Council a quarterly monitoring return, using the Council's form, within "
        "20 working days of the end of each quarter (30 June, 30 September, 31 December and 31 March). The "
        "return must include: money spent against budget; the number of people taking part, with their age, "
        "sex, ethnicity and postcode district; progress against each target in Schedule 1; and at least one "
        "short account, in the person's own words where possible, of a difference the Project has made.",
    ),
    (
        "p",
        "6.2 At the end of each year the Grantee must send an annual report and, within six months of the end of "
        "its financial year, a copy of its independently examined or audited accounts. At the end of the Grant "
        "Period it must send a final report and a statement of how the whole Grant was spent.",
    ),
    (
        "p",
        "6.3 The Council may make at least one monitoring visit each year, at reasonable notice. Where the "
        "Grantee agrees, visits will include trained quality checkers from Speak Up Westbrook, who will talk to "
        "people taking part about their experience.",
    ),
    (
        "p",
        "6.4 The Grantee must keep proper financial records of the Grant, including receipts, for six years after "
        "the end of the Grant Period and make them available to the Council or its auditors on request.",
    ),
    ("h1", "7. Learning together"),
    (
        "p",
        "Grantees will be invited to the Fund Learning Network, which meets twice a year with the Partnership "
        "Board and Speak Up Westbrook. The Network will share what is working, look at the monitoring "
        "information together and advise on the priorities for the second and third years of the Fund. The "
        "Council will pay reasonable costs for people with learning disabilities and family carers to take part.",
    ),
    ("h1", "8. Changes to the Project"),
    (
        "p",
        "If the Grantee wants to change the Project, its targets or its timetable, it should talk to the Fund "
        "officer first. Changes must be agreed in writing by the Council before they are made.",
    ),
    ("h1", "9. Withholding and repayment of the Grant"),
    (
        "p",
        "9.1 The Council may withhold or suspend any instalment if: a monitoring return is late or incomplete; "
        "the Grantee is more than 25% behind any target without an explanation the Council accepts; or the "
        "Council has concerns about the management of the Grant.",
    ),
    (
        "p",
        "9.2 The Council may require the Grantee to repay all or part of the Grant if: the Grant is used for "
        "anything other than the Project; the Grantee gave false or misleading information in its application "
        "or returns; the Grantee fails to send monitoring returns for two consecutive quarters; the Grantee "
        "becomes insolvent, ceases to operate or stops delivering the Project; or the Grantee breaches any of "
        "these terms and does not put the breach right within 30 days of being asked to.",
    ),
    (
        "p",
        "9.3 Any part of the Grant not spent on the Project by the end of the Grant Period must be repaid to the "
        "Council within 30 days, unless the Council agrees in writing that it may be carried forward.",
    ),
    ("h1", "10. Safeguarding"),
    (
        "p",
        "The Grantee must have a safeguarding adults policy and, where relevant, a safeguarding children policy, "
        "reviewed each year. Staff and volunteers in eligible roles must hold an enhanced DBS check. The "
        "Grantee must follow the Westbrook Safeguarding Adults Board procedures and report any safeguarding "
        "concern to the Council's adult social care team without delay, in line with the Care Act 2014.",
    ),
    ("h1", "11. Data protection"),
    (
        "p",
        "The Grantee is the data controller for personal data it collects for the Project and must comply with "
        "UK GDPR and the Data Protection Act 2018. Information in monitoring returns must be anonymised, and "
        "personal data must not be sent to the Council unless the Council asks for it and there is a lawful "
        "basis for sharing it.",
    ),
    ("h1", "12. Publicity and subsidy control"),
    (
        "p",
        "12.1 The Grantee must acknowledge the Council's support in publicity about the Project, using the Fund "
        "logo, and will produce easy read information about the Project for people taking part.",
    ),
    (
        "p",
        "12.2 The Council has assessed the Grant against the Subsidy Control Act 2022. The Grantee must tell the "
        "Council about any other public funding it receives for the same activity.",
    ),
    ("h1", "13. Ending the agreement"),
    (
        "p",
        "Either party may end this agreement by giving three months' written notice. The Council may end it "
        "immediately if any of the events in clause 9.2 occurs. If the agreement ends early the Grantee must "
        "send a final monitoring return and repay any part of the Grant not yet spent or committed.",
    ),
    ("h1", "Schedule 1: Outcomes and targets (example Project: Westbrook Friendship Club)"),
    (
        "table",
        [
            ["Outcome (agreed at co-design session)", "Measure", "Target by end of Year 1"],
            ["People have more friends and relationships", "Members reporting a new friendship", "40 members"],
            ["People get out and about in Westbrook", "Community outings led by members", "24 outings"],
            ["People feel more confident", "Members reporting increased confidence (easy read survey)", "70%"],
            ["People are heard", "Members taking part in planning the Club's programme", "15 members"],
            ["The Club reaches new people", "New members who were not using other services", "20 people"],
        ],
    ),
    ("h1", "Acceptance"),
    (
        "p",
        "We accept the Grant on these terms and conditions. Signed for the Grantee by two authorised "
        "signatories, one of whom must be a trustee or director. Name, position, signature and date.",
    ),
]


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with a fixed timestamp on every member so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _add_page_field(paragraph) -> None:
    """Append a PAGE field (the current page number) to a python-docx paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def build_docx(path: Path) -> None:
    """Write the partnership agreement (.docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)

    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = MOU_HEADER
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.text = MOU_FOOTER
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_page_field(footer)

    for kind, content in MOU:
        if kind == "title":
            doc.add_heading(str(content), level=0)
        elif kind == "subtitle":
            para = doc.add_paragraph()
            para.add_run(str(content)).italic = True
        elif kind == "h1":
            doc.add_heading(str(content), level=1)
        elif kind == "p":
            doc.add_paragraph(str(content))
        elif kind == "bullets":
            for item in content:  # type: ignore[union-attr]
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            rows = content  # type: ignore[assignment]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell_text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = cell_text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            doc.add_paragraph()
        elif kind == "sign":
            for line in content:  # type: ignore[union-attr]
                doc.add_paragraph(line)
        else:  # pragma: no cover - guards typos in the text lists
            raise ValueError(kind)

    props = doc.core_properties
    props.title = "Memorandum of Understanding: Northfield ICB and Northfield End of Life Care VCSE Alliance"
    props.subject = "End of life care partnership (composed example)"
    props.author = "vcse-modes examples"
    props.last_modified_by = "vcse-modes examples"
    props.keywords = "example; composed; VCSE; end of life care"
    props.comments = "Composed example document for vcse-modes; all bodies are fictional."
    props.category = "example"
    props.created = FIXED_DATETIME
    props.modified = FIXED_DATETIME
    props.last_printed = FIXED_DATETIME
    props.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue()))


def build_pdf(path: Path) -> None:
    """Write the grant terms (.pdf) with a running header and "Page N of M" footers."""
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as rl_canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1

    class NumberedCanvas(rl_canvas.Canvas):
        """Defers page output so each footer can say "Page N of M"."""

        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab API
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_furniture(total)
                super().showPage()
            super().save()

        def _draw_furniture(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(20 * mm, height - 12 * mm, GRANT_HEADER)
            self.setStrokeColor(colors.HexColor("#888888"))
            self.line(20 * mm, height - 14 * mm, width - 20 * mm, height - 14 * mm)
            self.drawCentredString(width / 2, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10, leading=13.5)
    h1 = ParagraphStyle("h1", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=8)
    title = ParagraphStyle("title", parent=styles["Title"], fontName="Helvetica-Bold", fontSize=16, alignment=TA_CENTER)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5)

    story = []
    for kind, content in GRANT:
        if kind == "title":
            story += [Paragraph(str(content), title), Spacer(1, 4 * mm)]
        elif kind == "h1":
            story.append(Paragraph(str(content), h1))
        elif kind == "p":
            story.append(Paragraph(str(content), body))
        elif kind == "table":
            rows = [[Paragraph(text, cell) for text in row] for row in content]  # type: ignore[union-attr]
            table = Table(rows, colWidths=[62 * mm, 70 * mm, 38 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
        else:  # pragma: no cover
            raise ValueError(kind)

    # invariant=1 fixes the document ID and the dates; SOURCE_DATE_EPOCH (read by reportlab's
    # TimeStamp) makes those dates FIXED_DATETIME rather than reportlab's default of 2000-01-01.
    epoch = str(int(FIXED_DATETIME.replace(tzinfo=dt.UTC).timestamp()))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=GRANT_TITLE,
        author="vcse-modes examples",
        subject="Learning disability community fund grant terms (composed example)",
        creator="vcse-modes scripts/make_examples.py",
        keywords="example, composed, grant, learning disability",
        invariant=1,
    )
    try:
        doc.build(story, canvasmaker=NumberedCanvas)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    path.write_bytes(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES, help="output folder (default: examples/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build_docx(args.out / "partnership_agreement.docx")
    build_pdf(args.out / "grant_terms.pdf")
    for name in ("partnership_agreement.docx", "grant_terms.pdf"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
