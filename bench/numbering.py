"""Document numbers allocated by 8 concurrent worker processes for one unit's series and
year: numbers per second, and proof that none was skipped or issued twice.

    DATABASE_URL=postgres://…/banli_bench python -m bench.numbering [workers] [each]
"""

import json
import multiprocessing
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def worker(unit_id, each, barrier, results):
    from django.db import transaction

    from responses.actions import allocate_doc_number
    from workflow.models import Unit

    unit, numbers = Unit.objects.get(pk=unit_id), []
    barrier.wait()  # start together, after Django has loaded: only allocation is timed
    started = time.monotonic()
    for _ in range(each):
        with transaction.atomic():  # as in send_letter: the number and the letter commit together
            numbers.append(allocate_doc_number(unit, "基复", 2099))
    results.put((started, time.monotonic(), numbers))


def lower_bound(unit_id, total):
    """The same increments by one connection, one UPDATE … RETURNING each, no contention."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.monotonic()
        for _ in range(total):
            cursor.execute(
                "UPDATE responses_documentcounter SET last_number = last_number + 1 "
                "WHERE unit_id = %s AND series = 'bound' AND year = 2099 RETURNING last_number",
                [unit_id],
            )
        return time.monotonic() - started


def run(workers=8, each=250):
    django.setup()
    from django.db import connections

    import responses.actions  # noqa: F401  (the workers' code, loaded once before the fork)
    from responses.models import DocumentCounter
    from workflow.models import Unit

    unit = Unit.objects.order_by("pk").first()
    DocumentCounter.objects.filter(unit=unit, year=2099).delete()
    DocumentCounter.objects.create(unit=unit, series="bound", year=2099)
    # Forked after Django has loaded, so no worker spends seconds importing it; each opens
    # a connection of its own (none is open to inherit).
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(target=worker, args=(unit.pk, each, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    batches = [results.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = max(b[1] for b in batches) - min(b[0] for b in batches)
    numbers = [n for batch in batches for n in batch[2]]
    expected = {f"{unit.organ_code}基复〔2099〕{i}号" for i in range(1, workers * each + 1)}
    bound = lower_bound(unit.pk, workers * each)
    DocumentCounter.objects.filter(unit=unit, year=2099).delete()
    return {
        "workers": workers,
        "numbers": len(numbers),
        "seconds": round(seconds, 2),
        "per_second": round(len(numbers) / seconds),
        "duplicates": len(numbers) - len(set(numbers)),
        "gaps_or_strays": len(expected ^ set(numbers)),
        "lower_bound_s": round(bound, 2),
        "ratio": round(seconds / bound, 1) if bound else None,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    json.dump(run(*args), sys.stdout, indent=1)
    print()
