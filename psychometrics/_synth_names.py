"""Names and codes for synthetic pilots: regions, fictional providers, placements.

Everything here is fixed data or a pure function of a seeded generator, so a
pilot's organisation tables are reproducible from its seed. Provider and site
names are invented (a made-up place name plus an NHS organisation type); the
regions are the seven NHS England regions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The seven NHS England regions, in the order their codes R1..R7 are given.
REGION_NAMES: tuple[str, ...] = (
    "North East and Yorkshire",
    "North West",
    "Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)

#: Specialties or departments a placement may be in.
SPECIALTIES: tuple[str, ...] = (
    "General medicine",
    "General surgery",
    "Paediatrics",
    "Mental health",
    "Community nursing",
    "Maternity",
    "Emergency department",
    "Primary care",
    "Pharmacy",
    "Radiography",
    "Critical care",
    "Trauma and orthopaedics",
    "Care of older people",
    "Cardiology",
    "Oncology",
    "Operating theatres",
    "Physiotherapy",
    "Learning disabilities",
    "Community dental services",
    "Pathology laboratories",
)

# Syllables for invented English-sounding place names ("Larkwold", "Fernmouth").
_PLACE_HEADS: tuple[str, ...] = (
    "Ash",
    "Bram",
    "Calder",
    "Dun",
    "Elder",
    "Fern",
    "Glen",
    "Hart",
    "Ivy",
    "Kestrel",
    "Lark",
    "Mere",
    "North",
    "Orrin",
    "Pell",
    "Quill",
    "Rook",
    "Sedge",
    "Thorn",
    "Umber",
    "Vale",
    "Wren",
    "Yarrow",
    "Zeal",
)
_PLACE_TAILS: tuple[str, ...] = (
    "bridge",
    "combe",
    "dale",
    "field",
    "ford",
    "gate",
    "holme",
    "mouth",
    "stead",
    "wold",
)
_PROVIDER_TYPES: tuple[str, ...] = (
    "Hospitals NHS Trust",
    "University Hospitals NHS Foundation Trust",
    "Community Health NHS Trust",
    "Mental Health NHS Foundation Trust",
    "Healthcare NHS Trust",
)
_SITE_TYPES: tuple[str, ...] = (
    "General Hospital",
    "Community Hospital",
    "Health Centre",
    "Royal Infirmary",
)


def code(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded codes such as ``PL0001`` for 1-based ``numbers`` (object array)."""
    return np.array([f"{prefix}{k:0{width}d}" for k in numbers.tolist()], dtype=object)


def place_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct invented place names, numbered once the syllables run out."""
    combos = [head + tail for head in _PLACE_HEADS for tail in _PLACE_TAILS]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order]
    return [
        names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
        for i in range(n)
    ]


def organisation_tables(
    n_regions: int, n_providers: int, n_placements: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Regions, providers and placements with codes, names and nesting.

    The first providers cover the regions in turn (so each region has one when
    there are enough providers), then the rest go to random regions; likewise
    the first placements cover the providers, then the rest go to providers in
    proportion to a gamma-distributed provider size.
    """
    regions = pd.DataFrame(
        {
            "region": [f"R{k}" for k in range(1, n_regions + 1)],
            "region_name": list(REGION_NAMES[:n_regions]),
        }
    )
    provider_region = np.concatenate(
        [
            np.arange(min(n_regions, n_providers)),
            rng.integers(0, n_regions, size=max(0, n_providers - n_regions)),
        ]
    )
    places = place_names(n_providers, rng)
    kinds = rng.integers(0, len(_PROVIDER_TYPES), size=n_providers)
    provider_codes = code("PR", np.arange(1, n_providers + 1), 3)
    providers = pd.DataFrame(
        {
            "provider": provider_codes,
            "provider_name": [
                f"{p} {_PROVIDER_TYPES[k]}" for p, k in zip(places, kinds, strict=True)
            ],
            "region": regions["region"].to_numpy()[provider_region],
        }
    )
    size = rng.gamma(2.0, 1.0, size=n_providers)
    placement_provider = np.concatenate(
        [
            np.arange(min(n_providers, n_placements)),
            rng.choice(n_providers, size=max(0, n_placements - n_providers), p=size / size.sum()),
        ]
    )
    placement_provider.sort()
    specialty = rng.integers(0, len(SPECIALTIES), size=n_placements)
    site = rng.integers(0, len(_SITE_TYPES), size=n_placements)
    names = pd.Series(
        [
            f"{SPECIALTIES[s]}, {places[p]} {_SITE_TYPES[t]}"
            for s, p, t in zip(specialty, placement_provider, site, strict=True)
        ]
    )
    repeat = names.groupby(names).cumcount().to_numpy()
    names = names.where(repeat == 0, names + " (" + (repeat + 1).astype(str) + ")")
    placements = pd.DataFrame(
        {
            "placement": code("PL", np.arange(1, n_placements + 1), 4),
            "placement_name": names.to_numpy(dtype=object),
            "provider": provider_codes[placement_provider],
            "region": providers["region"].to_numpy()[placement_provider],
            "specialty": np.array(SPECIALTIES, dtype=object)[specialty],
        }
    )
    return regions, providers, placements
