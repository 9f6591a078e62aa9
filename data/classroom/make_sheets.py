"""Make the simulated filled worksheets of data/classroom/ (synthetic students, not real people).

    python data/classroom/make_sheets.py

Draws one 20-statement worksheet from the synthetic rows of data/statements.csv with
`stance.classroom.make_worksheet` (seed 4), then fills it four times: each simulated student
starts from the statement's gold label and, with a student-specific probability, picks a
plausible neighbouring label instead (critical for hostile, neutral for favor, ...), and
leaves an occasional row blank. The files are clearly marked synthetic (`student` column
`student_1` ... `student_4`, `synthetic` true).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stance.classroom import make_worksheet

HERE = Path(__file__).resolve().parent
NEIGHBOURS = {
    "favor": ["neutral"], "against": ["neutral"], "neutral": ["favor", "against"],
    "hostile": ["critical"], "critical": ["hostile", "neutral"], "conciliatory": ["neutral"],
}
TONE_NEUTRAL_NEIGHBOURS = ["critical", "conciliatory"]
STUDENTS = {"student_1": 0.10, "student_2": 0.20, "student_3": 0.30, "student_4": 0.15}  # error rates


def fill(sheet: pd.DataFrame, gold: pd.DataFrame, name: str, error: float, rng) -> pd.DataFrame:
    out = sheet.copy()
    for col in ("stance", "tone"):
        answers = []
        for g in gold[f"gold_{col}"]:
            if rng.random() < 0.04:
                answers.append("")  # skipped
            elif rng.random() < error:
                pool = TONE_NEUTRAL_NEIGHBOURS if (col == "tone" and g == "neutral") else NEIGHBOURS[g]
                answers.append(rng.choice(pool))
            else:
                answers.append(g)
        out[col] = answers
    out["comment"] = ""
    out["student"] = name
    out["synthetic"] = True
    return out


def main() -> None:
    statements = pd.read_csv(HERE.parent / "statements.csv")
    synthetic = statements[statements["synthetic"]].reset_index(drop=True)
    sheet = make_worksheet(synthetic, n=20, seed=4)
    gold = sheet[["id"]].merge(synthetic[["id", "gold_stance", "gold_tone"]], on="id", how="left")
    rng = np.random.default_rng(2024)
    for name, error in STUDENTS.items():
        fill(sheet, gold, name, error, rng).to_csv(HERE / f"{name}.csv", index=False)
    print(f"wrote {len(STUDENTS)} sheets of {len(sheet)} statements to {HERE}")


if __name__ == "__main__":
    main()
