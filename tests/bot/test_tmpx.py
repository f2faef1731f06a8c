from tests.harness import MakeCtx, run
def test_x(ctx: MakeCtx, organs: None, clock) -> None:
    from tests.bot.test_reminders import at
    clock.set(at("2026-09-01T08:00"))
    run(ctx(), "/mote", "ny LG 15 oktober 9-12")
    run(ctx(), "/uppdrag", "<@U0ANNA|anna> Ta fram underlag till nästa LG")
    for t in ["ändra U-1 Anna och Roger Ledningsgrupp för samordning i oktober", "visa U-1"]:
        print("T", t, "=>", run(ctx(), "/uppdrag", t))
