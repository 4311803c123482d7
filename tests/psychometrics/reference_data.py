"""Reference data sets for the psychometrics tests, each with its provenance.

SAQ       Field's SPSS Anxiety Questionnaire, 2,571 x 23 (../shared/data/saq.csv),
          from *Discovering Statistics Using IBM SPSS Statistics* (Field 2018, ch. 18).
HS        Holzinger & Swineford (1939), 301 pupils, tests x1-x9, as shipped with
          semopy (identical to lavaan's ``HolzingerSwineford1939``).
MTCARS    R's ``datasets::mtcars`` (Henderson & Velleman 1981), 32 cars x 11 variables.
SF        Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
THURSTONE psych's ``Thurstone`` 9 x 9 correlation matrix (McDonald 1999, from
          Thurstone & Thurstone 1941), as printed in psych's data documentation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"
SAQ_CSV = Path("/work/shared/data/saq.csv")
if not SAQ_CSV.exists():  # pragma: no cover - repository layout next to ../shared
    SAQ_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "saq.csv"


@cache
def _saq() -> pd.DataFrame:
    return pd.read_csv(SAQ_CSV)


def saq() -> pd.DataFrame:
    """Field's SAQ responses (a fresh copy)."""
    return _saq().copy()


def holzinger() -> pd.DataFrame:
    from semopy.examples import holzinger39

    return holzinger39.get_data()[[f"x{i}" for i in range(1, 10)]].reset_index(drop=True)


def mtcars() -> pd.DataFrame:
    return pd.read_csv(DATA / "mtcars.csv", index_col="model")


def shrout_fleiss() -> pd.DataFrame:
    """Shrout & Fleiss (1979) Table 2, rows = targets, columns = judges."""
    return pd.DataFrame(
        {
            "judge1": [9, 6, 8, 7, 10, 6],
            "judge2": [2, 1, 4, 1, 5, 2],
            "judge3": [5, 3, 6, 2, 6, 4],
            "judge4": [8, 2, 8, 6, 9, 7],
        },
        index=pd.Index([1, 2, 3, 4, 5, 6], name="target"),
    )


THURSTONE_NAMES = [
    "Sentences",
    "Vocabulary",
    "Sent.Completion",
    "First.Letters",
    "Four.Letter.Words",
    "Suffixes",
    "Letter.Series",
    "Pedigrees",
    "Letter.Group",
]
THURSTONE = np.array(
    [
        [1, 0.828, 0.776, 0.439, 0.432, 0.447, 0.447, 0.541, 0.380],
        [0.828, 1, 0.779, 0.493, 0.464, 0.489, 0.432, 0.537, 0.358],
        [0.776, 0.779, 1, 0.460, 0.425, 0.443, 0.401, 0.534, 0.359],
        [0.439, 0.493, 0.460, 1, 0.674, 0.590, 0.381, 0.350, 0.424],
        [0.432, 0.464, 0.425, 0.674, 1, 0.541, 0.402, 0.367, 0.446],
        [0.447, 0.489, 0.443, 0.590, 0.541, 1, 0.288, 0.320, 0.325],
        [0.447, 0.432, 0.401, 0.381, 0.402, 0.288, 1, 0.555, 0.598],
        [0.541, 0.537, 0.534, 0.350, 0.367, 0.320, 0.555, 1, 0.452],
        [0.380, 0.358, 0.359, 0.424, 0.446, 0.325, 0.598, 0.452, 1],
    ]
)


def with_correlation(
    corr: np.ndarray, n: int, names: list[str] | None = None, seed: int = 0
) -> pd.DataFrame:
    """Data whose sample correlation matrix equals ``corr`` to rounding.

    Whitened normal scores ``Z`` (``Z'Z = (n - 1) I`` exactly) times the Cholesky
    factor of ``corr``: functions that only see the correlation matrix can then be
    checked against results published for a matrix rather than for raw data.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, corr.shape[0]))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)
    z = q * np.sqrt(n - 1)
    x = z @ np.linalg.cholesky(corr).T
    cols = names or [f"v{i + 1}" for i in range(corr.shape[0])]
    return pd.DataFrame(x, columns=cols)
