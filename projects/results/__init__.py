"""Programme results and the measured effect of funded projects (issue 17).

- ``effect``: the pure maths (RES with its interval, WDQ, Maryland level, warnings);
- ``geometry``: target area, buffer ring;
- ``services``: writes (area, dates, categories, control, milestones, publication), manager only;
- ``selectors``: the effect panel (counts from ``incidents.selectors.area_counts``, survey change from
  ``audits.selectors``), control suggestions, the programme results page;
- ``charts``: the monthly SVG chart; ``views``/``urls``/``forms``: the pages; ``demo``: demo data.
"""
