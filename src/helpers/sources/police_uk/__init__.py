"""Import data.police.uk street-level crime files into the data contract.

data.police.uk publishes, for every force and month, a file ``YYYY-MM/YYYY-MM-<force>-street.csv``
with one row per crime or anti-social behaviour (ASB) incident. This module reads those files as
downloaded (plain ``.csv`` or ``.csv.gz``) for a home force and its Most Similar Group (MSG) peers and
writes three extracts of the data contract (:mod:`helpers.contract.extracts`) plus an import report::

    python -m helpers.sources.police_uk --input ../shared/real/police-uk-street-2014 --force essex \\
        --out data/police_uk --months 2014-01:2014-11

Outputs (in ``--out``)
----------------------
``crimes.parquet``
    The home force's crimes (every row whose ``Crime type`` is not anti-social behaviour).
``incidents.parquet``
    The home force's ASB rows, one incident each.
``msg_peers.parquet``
    For each month and peer force: ``all_crime`` and ``victim_based_crime`` (numerator = crimes,
    denominator = ``population_2016`` from ``data/reference/msg_forces.csv``).
``import_report.json`` and ``import_report.md``
    What was read (files, rows, sha256 of the uncompressed content), what was written, and every
    warning: missing months, rows without a location, rows outside the force area, duplicate Crime
    IDs, unknown outcome categories, header problems. Deterministic: no timestamps.
``.ppw-import``
    The importer's marker (JSON naming the tool and the files it wrote). ``--out`` must be a new or
    empty folder, or one holding this marker: the importer never writes over extracts it did not
    write (a force's own extracts pointed at by mistake), and refuses with exit 2 naming the folder.

How the source is mapped — and what it cannot give
--------------------------------------------------
Offence group (``Crime type`` → ``offence_group``), see :data:`CRIME_TYPE_GROUPS`:

=============================  ====================================
police.uk ``Crime type``       contract ``offence_group``
=============================  ====================================
Violence and sexual offences   Violence against the person (*)
Burglary                       Burglary
Robbery                        Robbery
Vehicle crime                  Vehicle offences
Bicycle theft                  Theft
Other theft                    Theft
Theft from the person          Theft
Shoplifting                    Shoplifting
Criminal damage and arson      Criminal damage and arson
Drugs                          Drug offences
Possession of weapons          Possession of weapons
Public order                   Public order offences
Other crime                    Miscellaneous crimes against society
Anti-social behaviour          (not a crime: written to ``incidents``)
=============================  ====================================

(*) police.uk merges sexual offences into "Violence and sexual offences" (and, before May 2013,
published "Violent crime"); the contract's "Sexual offences" group is therefore always empty and
"Violence against the person" includes sexual offences. An unknown crime type is an error.

``victim_based`` is True for the groups in :data:`helpers.contract.extracts.VICTIM_BASED_GROUPS` — here
violence and sexual offences, burglary, robbery, vehicle crime, all thefts, shoplifting and criminal
damage and arson; drugs, possession of weapons, public order and other crime are not victim-based.
This follows the Home Office split as far as the police.uk categories allow: "Other crime" mixes a
few offences with a victim (e.g. some frauds) into "other crimes against society".

Outcome (``Last outcome category`` → ``outcome_type``), see :data:`OUTCOME_CATEGORY_TYPES`: every
court-stage category (awaiting court outcome, sent to prison, fined, found not guilty, court case
unable to proceed, ...) means the police outcome was a charge or summons, so it maps to
``charge_summons`` (solved), whatever the court later decided. "Offender given a drugs possession
warning" → ``cannabis_warning``; "Local resolution" → ``community_resolution``; "Unable to prosecute
suspect" → ``evidential_difficulties`` (police.uk merges "victim does not support action" into it,
so ``victim_declined_support`` is never produced). "Under investigation", "Status update unavailable"
and an empty category → null. An unknown category is mapped to null, listed in the import report and
warned about — never silently.

``outcome_date`` is the recorded month (first day) wherever there is an outcome. **Caveat**: the
category is the *latest outcome at the time the file was downloaded*, not the outcome known at the
end of the month, so solved rates from these files are higher for older months than a force's own
month-end figures, and ``outcome_date`` is not the date the outcome was recorded.

Not in the source, written as *not recorded* (empty: ``pd.NA`` in pandas' nullable ``boolean`` /
``Int64`` dtypes, null in parquet), never as False or a made-up value — see :data:`NOT_RECORDED`
and the "Not recorded by the source" section of :mod:`helpers.contract.extracts`: crimes ``domestic_abuse``,
``night_time_economy``, ``rural``, ``business``, ``class_a_supply``, ``evidence_led_prosecution``,
``da_risk_level`` and ``victim_id``; incidents ``arrived_at``, ``grade``, ``urban_rural``,
``domestic_abuse``, ``alcohol``, ``drugs``, ``mental_health`` and ``victim_id``. The cube then
reads every measure that needs one of them as N/A ("the domestic-abuse flag (domestic_abuse) is not recorded in crimes for
Nov 2014") — domestic abuse, night-time economy, Class A supply, rural and business crime, repeat
victims, emergency response — and the pages say "No data for this area from this source", where
writing False would have printed 0. Incidents: ``asb`` True (every row is ASB);
``incident_id`` is synthesised as ``ASB-YYYY-MM-000001`` in file order.

District: the ``LSOA name`` without its final space-and-code ("Basildon 001A" → "Basildon"),
through the profile's ``district_aliases.csv`` (``alias, district``; optional) where the source
still uses an old name. The force's profile (:mod:`helpers.profile`) says which districts are the
force's: given (``--profile``), or made from the files (:mod:`.profiling`: the districts holding at
least 0.5 % of the force's located records, the force as one LPA, the force and its peers from
``data/reference/forces.csv``) and written with the extracts into ``<out>/profile/``. A row
without a location, or in an LSOA of a district the profile does not list (police.uk places some
crimes just across the force boundary), is kept with district ``Unassigned`` and counted in the
report ("no location" / "outside force area"). When more than the profile's
``max_unassigned_share`` (5 %) of the located records (and at least 100) fall outside its
districts, the import is refused naming the districts found: the profile is not this force's.

Crime IDs: a Crime ID seen twice is kept once (the first occurrence in month and file order); every
duplicate is listed in the report with its file and line. Peer counts follow the same rule.

The package, one job a module: :mod:`.mapping` (the street file's columns, the crime-type and
outcome mappings, what the source does not record, the caveats, the errors and the result),
:mod:`.files` (finding and reading the street files), :mod:`.profiling` (a force's profile made
from its files), :mod:`.importer` (:func:`import_street_files` and the district checks), :mod:`.output` (the output folder's marker and check, writing an import,
the report as Markdown) and :mod:`.cli` (the command line). Every public name is importable from
``helpers.sources.police_uk``.
"""

from .cli import main
from .files import discover_files, parse_months
from .importer import (
    MAX_OUTSIDE_SHARE,
    MIN_OUTSIDE_REFUSED,
    check_districts_fit,
    import_street_files,
    to_contract,
)
from .mapping import (
    ASB,
    CAVEATS,
    CRIME_TYPE_GROUPS,
    EXPECTED_COLUMNS,
    INCIDENT_CONSTANTS,
    NOT_RECORDED,
    OUTCOME_CATEGORY_TYPES,
    USED_COLUMNS,
    ImportResult,
    PoliceUkImportError,
    PoliceUkImportWarning,
)
from .output import (
    IMPORT_MARKER,
    IMPORT_TOOL,
    OutputFolderError,
    check_output_folder,
    report_markdown,
    write_import,
)
from .profiling import (
    FORCES_FILE,
    MIN_DISTRICT_SHARE,
    ProfileDraft,
    forces_table,
    make_profile,
    short_name,
    write_profile,
)

__all__ = [
    "ASB",
    "CAVEATS",
    "CRIME_TYPE_GROUPS",
    "EXPECTED_COLUMNS",
    "FORCES_FILE",
    "MIN_DISTRICT_SHARE",
    "ProfileDraft",
    "forces_table",
    "make_profile",
    "short_name",
    "write_profile",
    "IMPORT_MARKER",
    "IMPORT_TOOL",
    "INCIDENT_CONSTANTS",
    "MAX_OUTSIDE_SHARE",
    "MIN_OUTSIDE_REFUSED",
    "NOT_RECORDED",
    "OUTCOME_CATEGORY_TYPES",
    "USED_COLUMNS",
    "ImportResult",
    "OutputFolderError",
    "PoliceUkImportError",
    "PoliceUkImportWarning",
    "check_districts_fit",
    "check_output_folder",
    "discover_files",
    "import_street_files",
    "main",
    "parse_months",
    "report_markdown",
    "to_contract",
    "write_import",
]
