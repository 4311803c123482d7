"""Domain rules that are not web concerns: the risk matrix and the Intensive Support Framework.

Plain functions over plain data (frozen dataclasses, ints, strings, dates), table-driven
where the source is a table, with no request, session, Flask or SQLAlchemy inside. A
service layer stores their decisions. Every refusal is a
:class:`~nets_app.domain.errors.DomainError` whose ``rule`` names the rule.

Modules
-------
errors
    ``DomainError`` and its subclasses.
risk_config, risk
    The HEE corporate risk matrix, High / Medium / Low levels, proportionate
    interventions, register threshold, ratings suggested from flags, overrides.
isf_config, isf, isf_reporting
    ISF categories 0-4 (monitoring, support, registers, pace); category transitions with
    who / when / why / evidence and replay; stakeholders to inform, register entry,
    provider category.
actions
    SMART action plans for category 2 and above, overdue actions, plan gaps.

Import the names from their modules (``from nets_app.domain.risk import rate``); this
package module imports nothing so that it stays light.
"""
