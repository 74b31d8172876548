"""The jobs a user runs, each writing its files with their provenance (:mod:`~fits.jobs.provenance`): the scan and
the global profile (:mod:`~fits.jobs.scan`, ``jaxtmm scan``), the profile likelihood (:mod:`~fits.jobs.profile`,
``jaxtmm profile``), the posterior (:mod:`~fits.jobs.fit`, ``jaxtmm fit``) and the reference curves a profile is
compared with (:mod:`~fits.jobs.reference`)."""
