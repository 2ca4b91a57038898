"""Records for the fixture review: two database searches (RIS and BibTeX) and a citation search (CSV),
with duplicates, both screening stages and exclusion reasons. The expected flow is counted by hand in
test_records.py."""

from __future__ import annotations

from pathlib import Path

SEARCHES = """\
id,source,name,date,query,results,notes
scopus,database,Scopus,2024-05-01,TITLE-ABS-KEY(community energy),4,
wos,database,Web of Science,2024-05-02,TS=(community energy),3,
hand,citation_searching,Reference lists,2024-05-10,backward citation searching,2,
"""

SCOPUS = """\
TY  - JOUR
ID  - S1
TI  - Community energy in practice
AU  - Smith, Jane
PY  - 2020
DO  - 10.1000/CE1
AB  - Bills fell in a cooperative.
ER  - 

TY  - JOUR
ID  - S2
TI  - Owning the grid
AU  - Okafor, Chidi
AU  - Weber, Lena
PY  - 2021
AB  - Ownership and trust.
ER  - 

TY  - JOUR
ID  - S3
TI  - Solar cooperatives and tariffs
AU  - Brown, Alex
PY  - 2019
AB  - Tariffs for solar.
ER  - 

TY  - JOUR
ID  - S4
TI  - Heat pumps in flats
AU  - Nguyen, Thi
PY  - 2022
AB  - Heat pumps.
ER  - 
"""

WOS = """\
@article{smithdup,
  author = {Smith, J.},
  title = {Community Energy in Practice},
  year = {2020},
  doi = {https://doi.org/10.1000/ce1}
}

@article{okafordup,
  author = {Okafor, C. and Weber, L.},
  title = {Owning the grid.},
  year = {2021}
}

@article{greensolar,
  author = {Green, Pat},
  title = {Solar cooperatives and tariffs},
  year = {2019}
}
"""

HAND = """\
id,title,authors,year,notes
lee2019,Feed-in tariffs,"Lee, Min",2019,cited by smith2020
lee-b,Feed-in Tariffs,"Lee, M.",2019,cited by okafor2021
"""

SCREENING = """\
record,stage,decision,reason,screener,date,source,notes
scopus:S1,title_abstract,include,,AT,2024-06-01,,
scopus:S2,title_abstract,include,,AT,2024-06-01,,
scopus:S3,title_abstract,exclude,wrong_topic,AT,2024-06-01,,
scopus:S4,title_abstract,maybe,,AT,2024-06-01,,
wos:greensolar,title_abstract,exclude,not_empirical,AT,2024-06-01,,
hand:lee2019,title_abstract,include,,AT,2024-06-02,,
scopus:S1,full_text,include,,AT,2024-06-10,smith2020,
scopus:S2,full_text,include,,AT,2024-06-10,okafor2021,
scopus:S4,full_text,not_retrieved,,AT,2024-06-10,,
hand:lee2019,full_text,exclude,not_empirical,AT,2024-06-11,,
"""

PROTOCOL_SCREENING = """\
screening:
  reasons: [wrong_topic, not_empirical]
"""

FILES = {"searches.csv": SEARCHES, "scopus.ris": SCOPUS, "wos.bib": WOS, "hand.csv": HAND, "screening.csv": SCREENING}


def add_records(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the records folder (and the protocol's screening key) into the review at ``root``."""
    folder = root / "records"
    folder.mkdir(exist_ok=True)
    for name, text in (files or FILES).items():
        (folder / name).write_text(text, encoding="utf-8")
    protocol = root / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + PROTOCOL_SCREENING, encoding="utf-8")
    return folder
