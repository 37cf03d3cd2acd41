"""The scripted demo models: they play from observations, reproducibly, with visibly different skill."""

from __future__ import annotations

from openreward_nb.demo import Action, DemoEnvironment, Episode, Observation, Step, Task, next_step
from openreward_nb.demo.policy import habits

SEEDS = range(4)


def play(environment: DemoEnvironment, model: str, task: Task, seed: int = 0) -> tuple[float, list[Step]]:
    """Run the policy against a session directly (no provider in between): (reward, steps)."""
    steps: list[Step] = []
    reward = None
    with environment.session(task=task) as session:
        episode = Episode(prompt=session.get_prompt()[0].text, tools=("bash", "submit_flag"))
        while True:
            step = next_step(model, episode, seed)
            steps.append(step)
            if not step.actions:
                assert reward is not None and step.text
                return reward, steps
            for action in step.actions:
                result = session.call_tool(action.name, action.arguments)
                episode.observations.append(Observation(action, result.blocks[0].text))
                if result.finished:
                    reward = result.reward
            episode.turns += 1


def all_tasks(environment: DemoEnvironment) -> list[Task]:
    return environment.list_tasks("train") + environment.list_tasks("test")


def test_strong_model_solves_more_than_weak_model(environment: DemoEnvironment) -> None:
    tasks = all_tasks(environment)
    rate = {
        model: sum(play(environment, model, t, seed)[0] for t in tasks for seed in SEEDS) / (len(tasks) * len(SEEDS))
        for model in ("demo-strong", "demo-weak")
    }
    assert rate["demo-strong"] >= 0.9
    assert 0.25 <= rate["demo-weak"] <= 0.7


def test_play_is_reproducible_and_varies_with_the_seed(environment: DemoEnvironment) -> None:
    tasks = all_tasks(environment)
    runs = {seed: [play(environment, "demo-weak", t, seed)[1] for t in tasks] for seed in (0, 1)}
    assert runs[0] == [play(environment, "demo-weak", t, 0)[1] for t in tasks]
    assert runs[0] != runs[1]


def submissions(environment: DemoEnvironment, model: str) -> list[str]:
    return [
        step.actions[0].arguments["flag"]
        for t in all_tasks(environment)
        for seed in SEEDS
        for step in play(environment, model, t, seed)[1]
        if step.actions and step.actions[0].name == "submit_flag"
    ]


def test_weak_model_fails_the_ways_a_weak_agent_does(environment: DemoEnvironment) -> None:
    weak = submissions(environment, "demo-weak")
    assert "flag{example_flag_format}" in weak  # submitted the README's decoy
    assert any(not flag.startswith("flag{") for flag in weak)  # submitted an encoded blob undecoded
    assert "flag{unknown}" in weak  # ran out of turns (the 12-file haystack)


def test_strong_model_reads_in_parallel_and_greps_big_trees(environment: DemoEnvironment) -> None:
    haystack = environment.list_tasks("train")[7]
    reward, steps = play(environment, "demo-strong", haystack)
    assert reward == 1.0
    assert any(a.arguments.get("command", "").startswith("grep -rn") for s in steps for a in s.actions)
    assert any(
        len(step.actions) == 2 for step in play(environment, "demo-strong", environment.list_tasks("train")[6])[1]
    )


def test_each_step_explains_itself(environment: DemoEnvironment, task: Task) -> None:
    _, steps = play(environment, "demo-strong", task)
    assert all(step.title and step.reasoning for step in steps)
    assert [step.text is not None for step in steps] == [False] * (len(steps) - 1) + [True]
    assert steps[-1].text == "Solved: the flag is flag{tw0_l4yers_0f_enc0ding}."


def test_model_names_map_to_skills() -> None:
    prompt = "Find the flag under /challenge."
    assert habits("openrouter/demo-weak", prompt) == habits("demo-weak", prompt)
    assert habits("gpt-5.4", prompt).max_turns == habits("demo-strong", prompt).max_turns == 12
    assert habits("demo-weak", prompt).max_turns == 7


def test_outside_the_ctf_tasks_the_model_just_answers() -> None:
    step = next_step("demo-strong", Episode(prompt="Write a haiku.", tools=("bash",)))
    assert step.actions == () and "offline demo model" in (step.text or "")
    no_tools = next_step("demo-strong", Episode(prompt="Find the flag under /challenge."))
    assert no_tools.actions == ()


def test_a_finished_episode_gets_a_closing_message() -> None:
    submit = Action("submit_flag", {"flag": "flag{x}"})
    episode = Episode(
        "Find the flag under /challenge.", ("bash", "submit_flag"), [Observation(submit, "Incorrect flag.")], 3
    )
    step = next_step("demo-strong", episode)
    assert step.actions == () and step.text == "I submitted flag{x}, but it was not the right flag."
