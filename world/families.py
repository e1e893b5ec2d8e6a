"""Scenario families of the synthetic DialogSum-style corpus: slots, phrasings, summaries.

Each family is one everyday situation, written so that any draw reads as a conversation
(corpus v3):

- ``opens``: #Person1#'s request (several phrasings); every reply fits every request;
- ``replies``: #Person2#'s answer; one that asks something has an entry in ``answers``:
  (#Person1#'s answer, #Person2#'s next line), spoken right after it;
- ``extras``: self-contained (#Person1#, #Person2#) exchanges, used in the order listed;
- ``closes``: the goodbye pair, #Person1# first;
- ``greetings`` (optional): the scene's own greeting pairs;
- ``casual``: the speakers know each other (a greeting by name, not "How can I help you?");
- ``summaries``: reference sentences in DialogSum's third-person style, true of any
  dialogue of the family; ``[a|b]`` marks alternative wordings (``[a|]``: optional),
  expanded into separate templates at import;
- ``notes``: per line of the above (a reply, an extra's first line, a close), sentences a
  reference may add when the dialogue holds that line.

``{slot}`` fields are filled from ``slots`` (or ``slots_extra``, or the shared slots in
``SHARED_SLOTS``); a reference names only values its dialogue says (``summaries.grounded``).
"""

from __future__ import annotations

import re

SHARED_SLOTS: dict[str, list[str]] = {
    "name": [
        "Tom",
        "Mary",
        "Jack",
        "Linda",
        "Steven",
        "Karen",
        "Paul",
        "Susan",
        "Bill",
        "Anna",
        "David",
        "Emma",
        "Frank",
        "Grace",
        "Henry",
        "Julia",
        "Kevin",
        "Laura",
        "Mike",
        "Nancy",
        "Peter",
        "Rachel",
        "Sam",
        "Tina",
        "Victor",
        "Wendy",
        "Alice",
        "Brian",
        "Chris",
        "Diana",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "time": ["nine", "ten", "eleven", "two", "three", "four", "five", "six", "seven", "eight"],
    "num": ["two", "three", "four", "five", "six"],
    "price": ["20", "35", "45", "60", "80", "120", "150", "200", "250", "400"],
}

FAMILIES: list[dict] = [
    dict(
        topic="restaurant booking",
        slots={
            "place": [
                "Luigi's",
                "the Golden Dragon",
                "Blue Harbor",
                "Chez Marie",
                "the Olive Tree",
                "the Red Lantern",
                "Mario's Kitchen",
                "the Silver Spoon",
                "Sakura House",
            ]
        },
        opens=[
            "I'd like to book a table for {num} at {place} on {day} evening.",
            "Could I reserve a table for {num} people at {place} on {day}?",
            "Hello, is it possible to get a table for {num} at {place} this {day}?",
        ],
        replies=[
            "Let me check. We have a table free at {time} o'clock.",
            "We are quite full, but I can give you a table at {time}.",
            "Certainly. May I have your name, please?",
        ],
        answers={
            "Certainly. May I have your name, please?": (
                "It's {name}.",
                "Thank you, {name}. I have a table for you at {time}.",
            ),
        },
        extras=[
            ("Can we sit by the window?", "I'll see what I can do, but I can't promise."),
            ("Do you have a vegetarian menu?", "Yes, we have several vegetarian dishes."),
            ("Is there parking nearby?", "There's a car park right behind the restaurant."),
        ],
        closes=[
            ("That's perfect. Thank you.", "You're welcome. See you on {day}."),
            ("Great, thanks a lot.", "You're welcome. Enjoy your meal."),
        ],
        summaries=[
            "On {day}, #Person1# [will eat|has dinner] at {place} with a party of {num}.",
            "#Person2# finds #Person1# a table at {time} [at|in] {place}.",
            "#Person1# [books|reserves] a table for {num} at {place} on {day}.",
            "#Person1# calls {place} to [reserve|book] a table for {num}[ on {day}|].",
            "#Person1# wants a table for {num} on {day}, and #Person2# [finds one|offers one] "
            "at {time}.",
            "#Person1# makes a reservation at {place}[ for {day}|], and #Person2# [offers|gives "
            "#Person1#] a table at {time}.",
            "#Person2# [takes|notes down] #Person1#'s booking: {num} people at {place} on {day}.",
        ],
        notes={
            "Certainly. May I have your name, please?": [
                "#Person1# [gives|leaves] the name {name}.",
                "The [booking|reservation|table] is under the name {name}.",
            ],
            "Can we sit by the window?": [
                "#Person1# asks for a [table|seat] by the window[, but #Person2# can't promise "
                "one|].",
            ],
            "Do you have a vegetarian menu?": [
                "#Person1# asks about vegetarian [food|dishes], and the restaurant has several.",
                "#Person2# [says|confirms] there are vegetarian dishes on the menu.",
            ],
            "Is there parking nearby?": [
                "#Person1# asks [about|where to find] parking, and #Person2# mentions the car "
                "park behind the restaurant.",
            ],
        },
    ),
    dict(
        topic="shopping for clothes",
        slots={
            "item": [
                "a blue shirt",
                "a winter coat",
                "a pair of jeans",
                "a black dress",
                "a wool sweater",
                "a red scarf",
                "a leather jacket",
                "a pair of boots",
                "a white blouse",
            ],
            "size": ["small", "medium", "large", "extra large"],
        },
        opens=[
            "I'm looking for {item} in {size}.",
            "Do you have {item} in size {size}?",
            "Excuse me, I need {item}, size {size} if possible.",
        ],
        replies=[
            "Let me look. Yes, we have one left in {size}.",
            "The {size} ones are on the second floor.",
            "We have a few in {size}. Would you like to try one on?",
        ],
        answers={
            "We have a few in {size}. Would you like to try one on?": (
                "Yes, please.",
                "Here you are.",
            ),
        },
        extras=[
            ("Where is the fitting room?", "It's just over there, next to the mirrors."),
            ("Do you have it in another color?", "We also have it in gray and green."),
            ("How much is it?", "It's {price} dollars, but it's on sale this week."),
        ],
        closes=[
            ("I'll take it.", "Great. You can pay at the front counter."),
            ("I think I'll think about it.", "No problem. Let me know if you need help."),
        ],
        summaries=[
            "In the shop, #Person1# [tries to find|searches for] {item}, size {size}.",
            "{item} in {size} is what #Person1# [needs|is after].",
            "#Person1# is shopping for {item} in {size}[ and #Person2# helps|].",
            "#Person1# asks #Person2# for {item} in size {size}.",
            "#Person2# helps #Person1# [find|look for] {item} in {size}.",
            "#Person1# wants {item}, size {size}, and asks [a shop assistant|#Person2#] for help.",
        ],
        notes={
            "Where is the fitting room?": [
                "#Person1# asks [where the fitting room is|for the fitting room].",
            ],
            "Do you have it in another color?": [
                "#Person1# asks about other colors, and #Person2# mentions gray and green.",
                "#Person2# [says|explains] it also comes in gray and green.",
            ],
            "How much is it?": [
                "#Person2# says it costs {price} dollars[ and is on sale|].",
                "[#Person1# asks the price: |The price is ]{price} dollars, on sale this week.",
            ],
            "I'll take it.": ["#Person1# [decides to buy it|takes it] in the end."],
            "I think I'll think about it.": [
                "#Person1# [wants to think about it|doesn't decide yet].",
            ],
        },
    ),
    dict(
        topic="returning an item",
        slots={
            "item": [
                "a toaster",
                "a pair of shoes",
                "a lamp",
                "a phone case",
                "a coffee maker",
                "a blender",
                "a kettle",
                "a hair dryer",
                "a watch",
            ],
            "problem": [
                "it doesn't work",
                "it's broken",
                "it's the wrong size",
                "it has a scratch",
                "it arrived damaged",
                "it stopped working",
            ],
        },
        opens=[
            "I bought {item} here last week, and {problem}. Can I return it?",
            "I'd like to return {item} because {problem}.",
            "Hi, I need to bring back {item}, because {problem}.",
        ],
        replies=[
            "Do you have the receipt?",
            "I'm sorry about that. Can I see the receipt, please?",
            "I'm sorry about that. We can exchange it or give you a refund.",
        ],
        answers={
            "Do you have the receipt?": ("Yes, here it is.", "Thank you. It was {price} dollars."),
            "I'm sorry about that. Can I see the receipt, please?": (
                "Here you are.",
                "Thanks. You paid {price} dollars for it.",
            ),
        },
        extras=[
            (
                "Can I get my money back instead of an exchange?",
                "Yes, the refund goes back to your card.",
            ),
            ("How long does the refund take?", "Usually three to five working days."),
        ],
        closes=[
            ("Thanks for your help.", "You're welcome. Sorry for the trouble."),
            ("Okay, I'll take the refund.", "All done. Have a nice day."),
        ],
        summaries=[
            "Since {problem}, #Person1# [wants a refund for|takes back] {item}.",
            "#Person1# complains that {problem} and [returns|brings back] {item}.",
            "#Person1# returns {item} because {problem}.",
            "#Person1# wants to return {item} to #Person2# because {problem}.",
            "#Person1# [brings back|takes back] {item} to the shop, because {problem}.",
            "#Person2# helps #Person1# return {item}[ to the shop|].",
        ],
        notes={
            "Do you have the receipt?": ["#Person1# shows the receipt: it cost {price} dollars."],
            "I'm sorry about that. Can I see the receipt, please?": [
                "#Person2# [checks|looks at] the receipt, which says {price} dollars.",
            ],
            "I'm sorry about that. We can exchange it or give you a refund.": [
                "#Person2# [offers|suggests] an exchange or a refund.",
            ],
            "Can I get my money back instead of an exchange?": [
                "#Person1# [wants|asks for] the money back, and it goes back to the card.",
            ],
            "How long does the refund take?": [
                "[#Person2# says the refund takes|The money comes back in] three to five "
                "working days.",
            ],
            "Okay, I'll take the refund.": ["#Person1# [chooses|takes] the refund."],
        },
    ),
    dict(
        topic="doctor visit",
        slots={
            "symptom": [
                "a bad headache",
                "a sore throat",
                "a high fever",
                "a stomachache",
                "a bad cough",
                "a runny nose",
                "back pain",
                "an earache",
                "a rash",
            ]
        },
        opens=[
            "Doctor, I've had {symptom}, and it got worse on {day}.",
            "I'm not feeling well. I have {symptom}.",
            "I came in because of {symptom} that won't go away.",
        ],
        replies=[
            "Let me take a look. Open your mouth, please.",
            "How long have you had it?",
            "Have you taken any medicine for it?",
        ],
        answers={
            "How long have you had it?": ("About {num} days.", "I see. Let me examine you."),
            "Have you taken any medicine for it?": (
                "Only some aspirin.",
                "All right. Let me examine you.",
            ),
        },
        extras=[
            ("Is it serious?", "I don't think so. You need some rest."),
            ("Do I need to take any pills?", "Take this medicine three times a day after meals."),
            ("Can I go to work tomorrow?", "Better stay at home for two days."),
        ],
        closes=[
            ("Thank you, doctor.", "Come back next week if you don't feel better."),
            ("I'll follow your advice.", "Good. Drink plenty of water."),
        ],
        summaries=[
            "Suffering from {symptom}, #Person1# [goes to|sees] #Person2#.",
            "#Person2#, a doctor, [treats|examines] #Person1# for {symptom}.",
            "#Person1# [sees|visits] a doctor because of {symptom}.",
            "#Person1# has {symptom}, and #Person2# examines #Person1#.",
            "#Person1# tells the doctor about {symptom}[ and gets some advice|].",
            "#Person2# examines #Person1#, who [has|complains of] {symptom}.",
        ],
        notes={
            "How long have you had it?": ["#Person1# has had it for about {num} days."],
            "Have you taken any medicine for it?": ["#Person1# has only taken some aspirin."],
            "Is it serious?": [
                "#Person2# [says|thinks] it isn't serious[ and #Person1# needs rest|, just rest "
                "is needed].",
                "#Person1# asks if it is serious[, and it isn't|].",
            ],
            "Do I need to take any pills?": [
                "#Person2# [prescribes|gives #Person1#] medicine to take three times a day.",
            ],
            "Can I go to work tomorrow?": [
                "#Person2# tells #Person1# to stay at home for two days[ instead of going to "
                "work|].",
            ],
            "Thank you, doctor.": [
                "#Person1# should come back next week if [it doesn't get better|it gets no "
                "better].",
            ],
        },
    ),
    dict(
        topic="job interview",
        slots={
            "job": [
                "sales manager",
                "bookkeeper",
                "software engineer",
                "secretary",
                "nurse",
                "teacher",
                "designer",
                "receptionist",
                "driver",
                "cashier",
            ],
            "company": [
                "Apex Industries",
                "Green Energy",
                "Sunrise Bank",
                "City Hospital",
                "Nova Tech",
                "Star Foods",
                "Omega Motors",
                "Silver Line",
                "Blue Sky Airlines",
            ],
        },
        opens=[
            "Good morning. I'm here for the {job} position at {company}.",
            "Good morning. I'm applying for the job of {job} at {company}.",
            "I saw the advertisement for a {job} at {company} and I'd like to apply.",
        ],
        replies=[
            "Please sit down. Tell me about yourself.",
            "Why do you want to work at {company}?",
            "What experience do you have as a {job}?",
        ],
        answers={
            "Please sit down. Tell me about yourself.": (
                "I worked as a {job} for {num} years.",
                "That's good experience.",
            ),
            "Why do you want to work at {company}?": (
                "It's a great company, and I want to grow.",
                "I like that answer.",
            ),
            "What experience do you have as a {job}?": (
                "I worked as a {job} for {num} years.",
                "That's good experience.",
            ),
        },
        extras=[
            ("What salary do you expect?", "We can discuss that at the second interview."),
            ("Is there any training for new staff?", "Yes, a two-week course."),
            ("When will I hear from you?", "We'll call you by {day}."),
        ],
        closes=[
            ("Thank you for your time.", "Thank you. We'll be in touch."),
            ("I hope to hear from you soon.", "You will. Goodbye."),
        ],
        summaries=[
            "At {company}, #Person2# [talks with|meets] #Person1# about the {job} job.",
            "#Person1# [hopes|wants] to get the {job} job at {company}.",
            "#Person1# has a job interview for the {job} position at {company}.",
            "#Person2# interviews #Person1# for the job of {job}[ at {company}|].",
            "#Person1# applies to be a {job} at {company} and answers #Person2#'s questions.",
            "#Person1# [is interviewed|has an interview] at {company} for a {job} job.",
        ],
        notes={
            "Please sit down. Tell me about yourself.": [
                "#Person1# has [worked|been working] as a {job} for {num} years.",
            ],
            "Why do you want to work at {company}?": [
                "#Person1# [says|explains] {company} is a great company to grow in.",
            ],
            "What experience do you have as a {job}?": [
                "#Person1# has {num} years of experience as a {job}.",
            ],
            "What salary do you expect?": [
                "#Person1# asks about the salary, which [will be discussed|comes up] at the "
                "second interview.",
            ],
            "Is there any training for new staff?": [
                "#Person2# [mentions|tells #Person1# about] a two-week course for new staff.",
            ],
            "When will I hear from you?": ["#Person2# will call #Person1# by {day}."],
        },
    ),
    dict(
        topic="travel plans",
        casual=True,
        slots={
            "city": [
                "Paris",
                "Tokyo",
                "London",
                "Rome",
                "Sydney",
                "New York",
                "Beijing",
                "Madrid",
                "Berlin",
                "Seoul",
                "Cairo",
                "Toronto",
            ]
        },
        opens=[
            "I'm planning a trip to {city} next month.",
            "We are going to {city} for our holiday.",
            "I'm flying to {city} on {day} for a holiday.",
        ],
        replies=[
            "How exciting! How long will you stay?",
            "Lucky you. What are you going to see?",
            "I went there last year. You'll love it.",
        ],
        answers={
            "How exciting! How long will you stay?": (
                "For {num} days.",
                "That's enough time to see the main sights.",
            ),
            "Lucky you. What are you going to see?": (
                "The museums, mostly.",
                "Good choice, they're wonderful.",
            ),
        },
        extras=[
            ("Do you know a good hotel there?", "Try one near the city center."),
            ("What about the weather?", "It can rain a lot, so take an umbrella."),
            ("Is it expensive?", "Quite. Take at least {price} dollars a day."),
        ],
        closes=[
            ("I can't wait.", "Have a great trip and send me some photos."),
            ("Thanks for the tips.", "Any time. Enjoy {city}."),
        ],
        summaries=[
            "#Person1# [shares|talks about] plans for a trip to {city} with #Person2#.",
            "{city} is where #Person1# is going [on holiday|for a holiday].",
            "#Person2# [hears about|listens to] #Person1#'s [plans|travel plans] for {city}.",
            "#Person1# tells #Person2# about a trip to {city}.",
            "#Person1# is going to {city}[ and #Person2# gives some advice|].",
            "#Person1# and #Person2# talk about #Person1#'s [holiday|trip] in {city}.",
            "#Person1# [plans|is planning] a holiday in {city}.",
        ],
        notes={
            "How exciting! How long will you stay?": [
                "#Person1# will stay [in {city} |]for {num} days.",
            ],
            "Lucky you. What are you going to see?": [
                "#Person1# [wants|plans] to see the museums."
            ],
            "I went there last year. You'll love it.": [
                "#Person2# [was there|visited it] last year.",
            ],
            "Do you know a good hotel there?": [
                "#Person2# [suggests|recommends] a hotel near the city center.",
            ],
            "What about the weather?": [
                "#Person2# [says|warns] it can rain a lot[ and suggests an umbrella|].",
            ],
            "Is it expensive?": [
                "#Person2# [advises taking|says to take] at least {price} dollars a day."
            ],
        },
    ),
    dict(
        topic="renting an apartment",
        slots={
            "rooms": ["one-bedroom", "two-bedroom", "studio", "three-bedroom"],
            "area": [
                "downtown",
                "near the university",
                "by the river",
                "in the suburbs",
                "near the park",
                "close to the station",
            ],
        },
        opens=[
            "I'm calling about the {rooms} apartment {area}.",
            "Is the {rooms} flat {area} still available?",
            "I'd like to rent the {rooms} apartment {area} from your advertisement.",
        ],
        replies=[
            "Yes, it's still free. It's a lovely place.",
            "It is. Would you like to see it?",
            "We have it, yes. When do you want to move in?",
        ],
        answers={
            "It is. Would you like to see it?": (
                "Yes, please.",
                "You can come on {day} at {time}.",
            ),
            "We have it, yes. When do you want to move in?": (
                "Next month, if possible.",
                "That's fine.",
            ),
        },
        extras=[
            ("How much is the rent?", "It's {price}0 dollars a month."),
            ("Are utilities included?", "Water is included, but not electricity."),
            ("Can I keep a pet?", "Small pets are fine."),
        ],
        closes=[
            ("I'll think about it and call you back.", "All right, I'll wait for your call."),
            ("It sounds good.", "Great, I'll prepare the contract."),
        ],
        summaries=[
            "Looking for a home {area}, #Person1# [calls|contacts] #Person2# about a {rooms} flat.",
            "#Person2# [rents out|has] a {rooms} apartment {area}, and #Person1# is interested.",
            "#Person1# wants to rent [a|the] {rooms} apartment {area}.",
            "#Person1# asks #Person2# about the {rooms} apartment {area}.",
            "#Person1# calls #Person2# about a {rooms} flat {area}.",
            "#Person1# is interested in the {rooms} apartment {area}[ that #Person2# rents out|].",
        ],
        notes={
            "Yes, it's still free. It's a lovely place.": [
                "#Person2# says it is still [free|available].",
            ],
            "It is. Would you like to see it?": [
                "#Person1# [will see|can visit] the apartment on {day} at {time}.",
            ],
            "We have it, yes. When do you want to move in?": [
                "#Person1# [wants to|would like to|plans to] move in next month.",
            ],
            "How much is the rent?": ["#Person2# says the rent is {price}0 dollars a month."],
            "Are utilities included?": [
                "[Water is included in the rent, but electricity isn't|The rent includes water "
                "but not electricity].",
            ],
            "Can I keep a pet?": ["#Person1# [may|can] keep a small pet."],
            "It sounds good.": ["#Person2# [will prepare|prepares] the contract."],
        },
    ),
    dict(
        topic="school homework",
        casual=True,
        slots={
            "subject": [
                "math",
                "history",
                "chemistry",
                "English",
                "biology",
                "physics",
                "geography",
                "art",
            ]
        },
        opens=[
            "Can you help me with my {subject} homework?",
            "I don't understand the {subject} homework at all. Can you help?",
            "The {subject} homework is due on {day} and I'm stuck.",
        ],
        replies=[
            "Sure, which part is hard?",
            "Let me see. Oh, this is tricky.",
            "Didn't the teacher explain it in class?",
        ],
        answers={
            "Sure, which part is hard?": ("Question {num}.", "You need to read the chapter again."),
            "Didn't the teacher explain it in class?": (
                "I was sick that day.",
                "Okay, I'll explain it to you.",
            ),
        },
        extras=[
            ("Can we study together after school?", "Okay, let's meet in the library."),
            ("I'm worried about the exam.", "Don't worry, you still have time."),
        ],
        closes=[
            ("Thanks, you're a lifesaver.", "No problem. Good luck."),
            ("I get it now.", "See? It's not that hard."),
        ],
        summaries=[
            "Stuck with {subject}, #Person1# [turns to|gets help from] #Person2#.",
            "#Person2# explains the {subject} homework to #Person1#.",
            "#Person2# helps #Person1# with the {subject} homework.",
            "#Person1# asks #Person2# for help with [the|some] {subject} homework.",
            "#Person1# is stuck on the {subject} homework[ due on {day}|], so #Person2# helps.",
            "#Person1# doesn't understand the {subject} homework and asks #Person2#.",
        ],
        notes={
            "Sure, which part is hard?": [
                "#Person1# is stuck on question {num}[ of the homework|]."
            ],
            "Didn't the teacher explain it in class?": [
                "#Person1# [missed|was sick for] the lesson, so #Person2# explains it.",
            ],
            "Can we study together after school?": [
                "They [agree|decide] to study together in the library after school.",
            ],
            "I'm worried about the exam.": ["#Person1# [is worried|worries] about the exam."],
        },
    ),
    dict(
        topic="tech support",
        slots={
            "device": ["laptop", "printer", "phone", "router", "computer", "tablet", "smart TV"],
            "fault": [
                "won't turn on",
                "keeps freezing",
                "is very slow",
                "can't connect to the internet",
                "keeps crashing",
                "makes a strange noise",
            ],
        },
        opens=[
            "My {device} {fault}.",
            "Hi, I need help. My {device} {fault}.",
            "I'm calling because my {device} {fault}.",
        ],
        replies=[
            "Have you tried restarting it?",
            "I'm sorry to hear that. How old is it?",
            "Let's check a few things. Is it plugged in?",
        ],
        answers={
            "Have you tried restarting it?": (
                "Yes, twice.",
                "Then let's try resetting the settings.",
            ),
            "I'm sorry to hear that. How old is it?": ("About {num} years.", "I see."),
            "Let's check a few things. Is it plugged in?": (
                "Yes, it is.",
                "Then let's try resetting the settings.",
            ),
        },
        extras=[
            ("Will I lose my files?", "No, your files will be safe."),
            ("Is it still under warranty?", "Let me check. Yes, for another {num} months."),
        ],
        closes=[
            ("Okay, thank you.", "Great. Call us if it happens again."),
            ("I'll bring it to the shop.", "Okay, we'll look at it on {day}."),
        ],
        summaries=[
            "A {device} that {fault} [makes #Person1# call|leads #Person1# to call] for help.",
            "Because the {device} {fault}, #Person1# [phones|contacts] #Person2#.",
            "#Person1#'s {device} {fault}, and #Person2# [helps|tries to help].",
            "#Person1# calls tech support because the {device} {fault}.",
            "#Person1# [asks|gets help from] #Person2# because the {device} {fault}.",
            "#Person2# [helps|advises] #Person1#, whose {device} {fault}.",
        ],
        notes={
            "Have you tried restarting it?": [
                "#Person1# has restarted it twice, so #Person2# suggests resetting the settings.",
            ],
            "I'm sorry to hear that. How old is it?": ["The {device} is about {num} years old."],
            "Let's check a few things. Is it plugged in?": [
                "#Person2# [suggests|recommends] resetting the settings.",
            ],
            "Will I lose my files?": [
                "#Person1# [is afraid of losing|worries about] the files, but they will be safe.",
            ],
            "Is it still under warranty?": [
                "The {device} [is under|still has a] warranty for {num} more months.",
            ],
            "I'll bring it to the shop.": ["#Person2# will look at it on {day}."],
        },
    ),
    dict(
        topic="bank account",
        slots={
            "task": [
                "open a savings account",
                "update the address on the account",
                "order a new card",
                "transfer some money",
                "close an old account",
                "apply for a loan",
            ]
        },
        opens=[
            "I'd like to {task}, please.",
            "Good morning. I need to {task}.",
            "Can you help me {task}?",
        ],
        replies=[
            "Of course. Do you have your ID with you?",
            "Sure. Please fill in this form.",
            "No problem. May I see your bank card?",
        ],
        answers={
            "Of course. Do you have your ID with you?": ("Yes, here it is.", "Thank you."),
            "No problem. May I see your bank card?": ("Here you are.", "Thank you."),
        },
        extras=[
            ("Is there a fee?", "There's a small fee of {price} dollars."),
            ("How long will it take?", "About ten minutes."),
        ],
        closes=[
            ("Thank you very much.", "You're welcome. Have a nice day."),
            ("That's all for today.", "Have a nice day."),
        ],
        summaries=[
            "#Person1# [asks a bank clerk|asks #Person2#] for help to {task}.",
            "#Person2# [deals with|handles] #Person1#'s request to {task}.",
            "At the bank, #Person1# [asks|gets help] to {task}.",
            "#Person1# [visits|comes to] the bank [in order|] to {task}.",
            "#Person1# goes to the bank to {task}.",
            "#Person2# helps #Person1# {task}[ at the bank|].",
            "#Person1# [wants|needs] to {task}, and #Person2# helps.",
        ],
        notes={
            "Of course. Do you have your ID with you?": ["#Person1# shows [an|the] ID."],
            "Sure. Please fill in this form.": ["#Person1# [has to fill|fills] in a form."],
            "No problem. May I see your bank card?": [
                "#Person1# [shows|hands over] the bank card."
            ],
            "Is there a fee?": [
                "There is a [small |]fee of {price} dollars.",
                "#Person1# asks about the fee[: {price} dollars|, which is {price} dollars].",
            ],
            "How long will it take?": ["[It takes|The process takes] about ten minutes."],
        },
    ),
    dict(
        topic="moving house",
        casual=True,
        slots={
            "place": [
                "a bigger house",
                "a new apartment",
                "the countryside",
                "another city",
                "a quieter street",
                "a town by the sea",
            ]
        },
        opens=[
            "We are moving to {place} next {day}.",
            "Did I tell you we're moving to {place} on {day}?",
            "I'm moving to {place} this weekend, and I still have a lot to do.",
        ],
        replies=[
            "Really? Do you need help packing?",
            "Wow, that's big news. Why are you moving?",
            "I can lend you my car if you want.",
        ],
        answers={
            "Really? Do you need help packing?": ("Yes, that would be great.", "I'll come over."),
            "Wow, that's big news. Why are you moving?": (
                "We need more space for the kids.",
                "That makes sense.",
            ),
        },
        extras=[
            ("Packing is a nightmare.", "Start with the things you don't use."),
            ("The movers charge {price} dollars.", "That's not too bad."),
        ],
        closes=[
            ("Thanks for your help.", "That's what friends are for."),
            ("I'll invite you when we settle in.", "I'd love that."),
        ],
        summaries=[
            "#Person1# [shares|tells] the news of moving to {place}[ with #Person2#|].",
            "[Soon|On {day}], #Person1# moves to {place}.",
            "#Person2# [hears|learns] that #Person1# is moving to {place}.",
            "#Person1# is moving to {place}[ on {day}|].",
            "#Person1# tells #Person2# about [moving|the move] to {place}.",
            "#Person1# and #Person2# talk about #Person1#'s move to {place}.",
        ],
        notes={
            "Really? Do you need help packing?": [
                "#Person2# [offers|will come over] to help with the packing."
            ],
            "Wow, that's big news. Why are you moving?": [
                "#Person1#'s family needs more space for the kids.",
            ],
            "I can lend you my car if you want.": ["#Person2# offers to lend #Person1# a car."],
            "Packing is a nightmare.": [
                "#Person2# [advises|tells] #Person1# to start packing the things [not in use|"
                "#Person1# doesn't use].",
            ],
            "The movers charge {price} dollars.": ["The movers charge {price} dollars."],
            "I'll invite you when we settle in.": [
                "#Person1# will invite #Person2# [after the move|once they settle in].",
            ],
        },
    ),
    dict(
        topic="birthday party",
        casual=True,
        slots={
            "who": [
                "Anna",
                "Tom",
                "Lucy",
                "Ben",
                "Mr. Smith",
                "Grandma",
                "Jenny",
                "Mr. Brown",
                "Sophie",
            ]
        },
        opens=[
            "It's {who}'s birthday on {day}. Can you come to the party?",
            "We're having a surprise party for {who} on {day}. Will you come?",
            "I'm inviting you to {who}'s birthday party on {day}.",
        ],
        replies=[
            "Sure, what time does it start?",
            "I'd love to. Should I bring anything?",
            "Of course I'll come.",
        ],
        answers={
            "Sure, what time does it start?": ("At {time}.", "Okay, I'll be there on time."),
            "I'd love to. Should I bring anything?": (
                "Could you bring a cake?",
                "No problem. I'll bake a chocolate one.",
            ),
        },
        extras=[
            ("What should I buy {who}?", "A book or some flowers would be nice."),
            ("Don't tell anyone, it's a surprise.", "My lips are sealed."),
        ],
        closes=[
            ("See you at the party.", "See you."),
            ("Thanks. {who} will be happy.", "I wouldn't miss it."),
        ],
        summaries=[
            "There is a [party|birthday party] for {who} on {day}, and #Person2# is invited.",
            "#Person1# and #Person2# [talk about|discuss] {who}'s party on {day}.",
            "#Person1# invites #Person2# to {who}'s birthday party on {day}.",
            "#Person1# asks #Person2# to come to {who}'s [birthday party|party on {day}].",
            "#Person2# [agrees|promises] to come to the party for {who} on {day}.",
        ],
        notes={
            "Sure, what time does it start?": ["The party [starts|begins] at {time}."],
            "I'd love to. Should I bring anything?": [
                "#Person2# [will bring|agrees to bring] a cake."
            ],
            "What should I buy {who}?": [
                "#Person2# suggests a book or flowers as a present[ for {who}|].",
            ],
            "Don't tell anyone, it's a surprise.": [
                "[The party is a surprise|#Person2# must keep the party a secret]."
            ],
        },
    ),
    dict(
        topic="sports",
        casual=True,
        slots={
            "sport": [
                "tennis",
                "basketball",
                "football",
                "volleyball",
                "badminton",
                "table tennis",
                "squash",
                "golf",
            ]
        },
        opens=[
            "Do you want to play {sport} with me on {day}?",
            "Shall we play {sport} together on {day}?",
            "I'm looking for someone to play {sport} with on {day}. Are you free?",
        ],
        replies=["Sure, what time?", "Good idea. I haven't played for ages.", "Yes, I'm free."],
        answers={"Sure, what time?": ("Let's meet at {time}.", "Okay, at the sports center.")},
        extras=[
            ("I want to lose some weight.", "Exercise is the best way."),
            ("I hurt my knee last time.", "Be careful and warm up first."),
        ],
        closes=[("See you then.", "Don't be late."), ("It'll be fun.", "I'm sure it will.")],
        summaries=[
            "#Person1# [suggests|proposes] a game of {sport} on {day}[, and #Person2# agrees|].",
            "{day} is the day #Person1# and #Person2# [play|meet for] {sport}.",
            "On {day}, #Person1# and #Person2# [will play|are going to play] {sport}.",
            "#Person2# [agrees|says yes] to a game of {sport} with #Person1#.",
            "#Person1# invites #Person2# to play {sport} on {day}.",
            "#Person1# and #Person2# [agree|plan] to play {sport}[ on {day}|].",
            "#Person1# asks #Person2# to play {sport} together.",
        ],
        notes={
            "Sure, what time?": ["They [will meet|agree to meet] at {time} at the sports center."],
            "I want to lose some weight.": ["#Person1# [wants|hopes] to lose [some |]weight."],
            "I hurt my knee last time.": [
                "#Person1# hurt a knee last time, so #Person2# says to warm up first.",
            ],
        },
    ),
    dict(
        topic="hotel check-in",
        slots={
            "hotel": [
                "the Grand Hotel",
                "the Park Inn",
                "the Seaview Hotel",
                "the Royal Palace",
                "the Harbor Hotel",
                "the City Lodge",
                "the Hilltop Inn",
            ]
        },
        opens=[
            "I have a reservation at {hotel} for {num} nights.",
            "I'd like to check in, please. I booked a room at {hotel} for {num} nights.",
            "Good evening. I have a reservation at {hotel} under the name {name}.",
        ],
        replies=[
            "Welcome. May I see your passport?",
            "Let me check. Yes, we have your room on the fifth floor.",
            "Welcome to {hotel}. Could you sign here, please?",
        ],
        answers={
            "Welcome. May I see your passport?": (
                "Here you are.",
                "Thank you. Your room is on the fifth floor.",
            ),
            "Welcome to {hotel}. Could you sign here, please?": ("Sure.", "Thank you."),
        },
        extras=[
            ("Is breakfast included?", "Yes, from seven to ten."),
            ("What's the wifi password?", "It's on the card in your room."),
            ("Can I have a late checkout?", "Until one o'clock is fine."),
        ],
        closes=[
            ("Thank you.", "Here is your key. Enjoy your stay."),
            ("Where is the elevator?", "Just to your left."),
        ],
        summaries=[
            "#Person1# [gets|is given] a room at {hotel} after checking in with #Person2#.",
            "#Person2# [registers|checks in] #Person1# at the front desk of {hotel}.",
            "#Person1# [has a reservation|has booked a room] at {hotel}.",
            "#Person1# [arrives|checks in] at {hotel}, where #Person2# works at the desk.",
            "At {hotel}, #Person2# [welcomes|checks in] #Person1#.",
            "#Person1# checks in at {hotel}[ with #Person2#'s help|].",
            "#Person2# helps #Person1# check in at {hotel}.",
            "#Person1# arrives at {hotel} and [checks in|gets a room].",
        ],
        notes={
            "Welcome. May I see your passport?": ["#Person1# [shows|gives #Person2#] a passport."],
            "Let me check. Yes, we have your room on the fifth floor.": [
                "[The room is|#Person1# gets a room] on the fifth floor.",
            ],
            "Is breakfast included?": [
                "#Person1# asks about breakfast, [which is served|served] from seven to ten.",
                "Breakfast is included[, from seven to ten|].",
            ],
            "What's the wifi password?": ["#Person1# asks [for|about] the wifi password."],
            "Can I have a late checkout?": [
                "#Person1# [can|may] check out late, until one o'clock.",
            ],
        },
    ),
    dict(
        topic="lost luggage",
        slots={
            "bag": [
                "a black suitcase",
                "a red backpack",
                "a brown bag",
                "a large blue suitcase",
                "a green duffel bag",
                "a small gray suitcase",
                "a purple backpack",
            ]
        },
        opens=[
            "My luggage didn't arrive on the flight from {city}. It's {bag}.",
            "I've lost {bag} on the flight from {city}.",
            "Excuse me, I can't find {bag}. I came from {city}.",
        ],
        replies=[
            "Please fill in this form with your flight number.",
            "I'm sorry. Can I see your ticket?",
            "Let me check the system.",
        ],
        answers={"I'm sorry. Can I see your ticket?": ("Here it is.", "Thank you.")},
        extras=[
            ("When will I get it back?", "Usually within two days."),
            ("Can you deliver it to my hotel?", "Yes, we'll send it there."),
        ],
        closes=[("Please call me when you find it.", "We will."), ("Thank you.", "Sorry again.")],
        slots_extra={"city": ["Paris", "Tokyo", "London", "Rome"]},
        summaries=[
            "{bag} [is missing|doesn't arrive] after #Person1#'s flight from {city}.",
            "#Person2# [helps|assists] #Person1#, who has lost {bag}.",
            "After a flight from {city}, #Person1# can't find {bag}.",
            "#Person1# [reports|tells #Person2# about] {bag}, lost on the flight from {city}.",
            "#Person1# lost {bag} and reports it to #Person2#.",
            "#Person1#'s luggage from {city} didn't arrive, so #Person2# [helps|takes the report].",
            "#Person1# asks #Person2# to find {bag}[ from the flight from {city}|].",
        ],
        notes={
            "Please fill in this form with your flight number.": [
                "#Person1# [fills in|completes] a form with the flight number.",
            ],
            "When will I get it back?": [
                "[Lost bags usually come back|#Person1# should get it back] within two days."
            ],
            "Can you deliver it to my hotel?": [
                "#Person2# [will send|agrees to deliver] the bag to #Person1#'s hotel.",
            ],
            "Please call me when you find it.": [
                "#Person2# [will call|promises to call] when they find it."
            ],
        },
    ),
    dict(
        topic="car repair",
        slots={
            "part": [
                "the brakes",
                "the engine",
                "a tire",
                "the air conditioning",
                "the battery",
                "the lights",
                "the clutch",
                "the steering",
            ]
        },
        opens=[
            "There's something wrong with {part} of my car.",
            "Can you check {part}? It makes a strange noise.",
            "My car broke down. I think it's {part}.",
        ],
        replies=[
            "Let me have a look.",
            "When did it start?",
            "We'll need to keep the car for a day.",
        ],
        answers={"When did it start?": ("On {day}.", "Okay, let me have a look.")},
        extras=[
            ("How much will it cost?", "About {price} dollars."),
            ("Can I wait here?", "Sure, there's coffee in the waiting room."),
            ("Is it safe to drive?", "Not until we fix it."),
        ],
        closes=[("Okay, go ahead.", "It'll be ready by {time}."), ("Thanks.", "No problem.")],
        summaries=[
            "A mechanic, #Person2#, [looks at|checks] {part} of #Person1#'s car.",
            "Because of {part}, #Person1# [brings|takes] the car to a garage.",
            "#Person1#'s car has a problem with {part}[, and #Person2# will fix it|].",
            "#Person1# takes the car to #Person2# because of {part}.",
            "#Person2# checks {part} of #Person1#'s car.",
        ],
        notes={
            "When did it start?": ["The [problem|trouble] started on {day}."],
            "We'll need to keep the car for a day.": [
                "The garage [will keep|needs] the car for a day."
            ],
            "How much will it cost?": [
                "The repair [will cost|costs] about {price} dollars.",
                "#Person2# says the repair costs about {price} dollars.",
            ],
            "Can I wait here?": ["#Person1# [waits|can wait] in the waiting room."],
            "Is it safe to drive?": ["The car isn't safe to drive until [it's fixed|the repair]."],
            "Okay, go ahead.": ["The car [will be|should be] ready by {time}."],
        },
    ),
    dict(
        topic="weather",
        casual=True,
        slots={
            "weather": [
                "rain",
                "snow",
                "a storm",
                "hot weather",
                "strong wind",
                "heavy rain",
                "fog",
                "a heat wave",
            ]
        },
        opens=[
            "Did you hear the forecast? They say {weather} is coming on {day}.",
            "The forecast says {weather} this weekend.",
            "The radio says there will be {weather} tomorrow.",
        ],
        replies=[
            "Really? I wanted to go hiking.",
            "Oh no, not again.",
            "Then we should stay inside.",
        ],
        extras=[
            ("It's been bad all week.", "I miss the sun."),
            ("Maybe we can watch a movie instead.", "That sounds nice."),
        ],
        closes=[("Let's hope it gets better.", "Yes, let's hope."), ("Stay warm.", "You too.")],
        summaries=[
            "[Worried|Unhappy] about {weather}, #Person1# [talks to|chats with] #Person2#.",
            "#Person1# and #Person2# [expect|are expecting] {weather}[ soon|].",
            "The forecast says {weather}, [#Person1# tells #Person2#|and #Person2# is not happy].",
            "#Person1# and #Person2# [worry about|talk about] {weather}.",
            "#Person1# and #Person2# talk about the {weather}.",
            "#Person1# tells #Person2# that {weather} is coming.",
            "#Person1# and #Person2# [talk about|discuss] the forecast of {weather}.",
        ],
        notes={
            "Really? I wanted to go hiking.": ["#Person2# [wanted|was planning] to go hiking."],
            "Then we should stay inside.": ["#Person2# [wants|suggests] to stay inside."],
            "Maybe we can watch a movie instead.": [
                "#Person1# suggests watching a movie instead[, and #Person2# agrees|].",
            ],
        },
    ),
    dict(
        topic="library",
        slots={
            "book": [
                "a history book",
                "a cookbook",
                "a novel by Dickens",
                "a travel guide",
                "a dictionary",
                "a poetry book",
                "a book about birds",
                "a biography of Mozart",
            ]
        },
        opens=[
            "I'd like to borrow {book}.",
            "Where can I find {book}? I'd like to borrow it.",
            "I'm looking for {book} to take home.",
        ],
        replies=[
            "It's on the third shelf on the left.",
            "Do you have your library card?",
            "Let me check the catalog. Yes, we have one.",
        ],
        answers={"Do you have your library card?": ("Yes, here it is.", "Thank you.")},
        extras=[
            ("How long can I keep it?", "For {num} weeks."),
            ("What if I return it late?", "There's a small fine."),
            ("Is the library open on {day}?", "Yes, until eight."),
        ],
        closes=[
            ("Thank you.", "Please keep quiet in the reading room."),
            ("That's all.", "Enjoy the book."),
        ],
        summaries=[
            "#Person2#, the librarian, [helps|assists] #Person1# with {book}.",
            "#Person1# [comes|goes] to the library [for|to get] {book}.",
            "At the library, #Person1# [wants|is looking for] {book}.",
            "#Person1# [takes out|checks out] {book} from the library.",
            "#Person1# borrows {book} from the library.",
            "#Person2# helps #Person1# find {book}.",
            "#Person1# asks the librarian [about|for] {book}.",
        ],
        notes={
            "It's on the third shelf on the left.": [
                "[The book is|#Person2# finds it] on the third shelf."
            ],
            "Do you have your library card?": ["#Person1# [shows|has] a library card."],
            "How long can I keep it?": ["#Person1# can keep [it|the book] for {num} weeks."],
            "What if I return it late?": ["A late return [costs|means] a small fine."],
            "Is the library open on {day}?": ["The library [is open|opens] on {day} until eight."],
        },
    ),
    dict(
        topic="post office",
        slots={
            "parcel": ["a parcel", "a letter", "a package", "some documents"],
            "dest": [
                "Canada",
                "Japan",
                "Germany",
                "Brazil",
                "Australia",
                "Mexico",
                "Italy",
                "India",
                "Kenya",
                "Sweden",
            ],
        },
        opens=[
            "I'd like to send {parcel} to {dest}.",
            "How much is it to mail {parcel} to {dest}?",
            "Can I send {parcel} to {dest} by airmail?",
        ],
        replies=[
            "Please put it on the scale. It's {price} dollars by airmail.",
            "Airmail or surface mail?",
            "It's {price} dollars by airmail.",
        ],
        answers={"Airmail or surface mail?": ("Airmail, please.", "That's {price} dollars.")},
        extras=[
            ("How long will it take?", "About a week."),
            ("Can I insure it?", "Yes, for a small extra fee."),
            ("Do I need a customs form?", "Yes, fill in this one."),
        ],
        closes=[
            ("Here you are.", "Thank you. Here's your receipt."),
            ("Okay, thanks.", "You're welcome."),
        ],
        summaries=[
            "#Person2# [weighs and sends|takes care of] {parcel} to {dest} for #Person1#.",
            "#Person1# [wants|needs] to get {parcel} to {dest}.",
            "At the post office, #Person1# [mails|posts] {parcel} to {dest}.",
            "#Person1# is sending {parcel} to {dest}, and #Person2# [helps|handles it].",
            "#Person1# sends {parcel} to {dest}[ at the post office|].",
            "#Person1# asks #Person2# [how much it costs|about the price] to send {parcel} to "
            "{dest}.",
            "#Person2# helps #Person1# mail {parcel} to {dest}.",
        ],
        notes={
            "Please put it on the scale. It's {price} dollars by airmail.": [
                "[Airmail costs|Sending it by airmail costs] {price} dollars.",
            ],
            "Airmail or surface mail?": [
                "#Person1# chooses airmail, which costs {price} dollars.",
            ],
            "It's {price} dollars by airmail.": ["It costs {price} dollars by airmail."],
            "How long will it take?": ["[It will take|Delivery takes] about a week."],
            "Can I insure it?": ["#Person1# can insure it for a small [extra |]fee."],
            "Do I need a customs form?": ["#Person1# [needs|has to fill in] a customs form."],
        },
    ),
    dict(
        topic="gym membership",
        slots={
            "plan": [
                "a monthly plan",
                "a yearly plan",
                "a student plan",
                "a family plan",
                "a morning plan",
                "a couples plan",
            ]
        },
        opens=[
            "I'm interested in {plan} at your gym.",
            "How much is {plan}?",
            "I want to join the gym. Do you have {plan}?",
        ],
        replies=[
            "It's {price} dollars a month.",
            "It includes all classes, and it's {price} dollars.",
            "Let me show you around first.",
        ],
        extras=[
            ("Do you have a pool?", "Yes, on the ground floor."),
            ("Can I get a personal trainer?", "Yes, for an extra fee."),
            ("What are the opening hours?", "Six in the morning to ten at night."),
        ],
        closes=[
            ("I'll sign up.", "Welcome to the club."),
            ("I'll think about it.", "Take this brochure."),
        ],
        summaries=[
            "#Person1# [looks into|wants to know about] {plan}, and #Person2# [helps|explains].",
            "#Person1# [comes to|visits] the gym [to ask|asking] about {plan}.",
            "Interested in {plan}, #Person1# [talks to|asks] #Person2# at the front desk.",
            "#Person2# answers #Person1#'s questions about {plan}.",
            "#Person1# [is thinking of|considers] {plan} at #Person2#'s gym.",
            "At the gym, #Person2# [explains|presents] {plan} to #Person1#.",
            "#Person1# asks #Person2# about {plan} at the gym.",
            "#Person1# wants to join the gym with {plan}.",
            "#Person2# tells #Person1# about the gym's {plan}.",
        ],
        notes={
            "It's {price} dollars a month.": ["The plan [costs|is] {price} dollars a month."],
            "It includes all classes, and it's {price} dollars.": [
                "[The plan includes all classes|All classes are included] for {price} dollars."
            ],
            "Do you have a pool?": ["[The gym has a pool|There is a pool] on the ground floor."],
            "Can I get a personal trainer?": [
                "A personal trainer [costs|is] an extra fee.",
            ],
            "What are the opening hours?": [
                "The gym [is open|opens] from six in the morning to ten at night.",
            ],
            "I'll sign up.": ["#Person1# [signs up|joins] in the end."],
            "I'll think about it.": [
                "#Person1# takes a brochure [to think about it|and will think about it]."
            ],
        },
    ),
    dict(
        topic="ordering food",
        slots={
            "dish": [
                "a pizza",
                "some noodles",
                "a burger",
                "fried rice",
                "a salad",
                "a chicken sandwich",
                "a bowl of soup",
                "sushi",
                "a taco",
            ]
        },
        opens=[
            "I'd like to order {dish} for delivery.",
            "Can I get {dish} delivered, please?",
            "Hi, I want {dish} delivered to my office.",
        ],
        replies=["Sure. What's your address?", "Anything else?", "That'll be {price} dollars."],
        answers={
            "Sure. What's your address?": ("{num} Park Street.", "Got it."),
            "Anything else?": ("A coke, please.", "Okay. That'll be {price} dollars."),
        },
        extras=[
            ("Can you make it spicy?", "Sure."),
            ("How long will it take?", "About thirty minutes."),
            ("Do you take credit cards?", "Yes, we do."),
        ],
        closes=[("That's all.", "Thank you for your order."), ("Thanks.", "Enjoy your meal.")],
        summaries=[
            "#Person1# [calls|phones] a restaurant and [orders|asks for] {dish}.",
            "#Person1# [wants|asks for] {dish} [delivered|for delivery] and #Person2# takes "
            "the order.",
            "#Person2# [takes|writes down] an order for {dish} from #Person1#.",
            "#Person1# orders {dish} from #Person2#.",
            "#Person1# orders {dish} for delivery.",
            "#Person1# calls to order {dish}[ and #Person2# takes the order|].",
        ],
        notes={
            "Sure. What's your address?": [
                "[The address is|#Person1# lives at] {num} Park Street."
            ],
            "Anything else?": ["#Person1# [adds|also orders] a coke, and it's {price} dollars."],
            "That'll be {price} dollars.": ["The order [costs|comes to] {price} dollars."],
            "Can you make it spicy?": ["#Person1# [wants|asks for] it spicy."],
            "How long will it take?": [
                "[The delivery takes|It will arrive in] about thirty minutes."
            ],
            "Do you take credit cards?": ["#Person1# can pay by [credit |]card."],
        },
    ),
    dict(
        topic="directions",
        greetings=[("Excuse me.", "Yes?"), ("Excuse me, can you help me?", "Sure.")],
        slots={
            "spot": [
                "the train station",
                "the museum",
                "the city hall",
                "the nearest bank",
                "the hospital",
                "the stadium",
                "the old bridge",
                "the bus station",
            ]
        },
        opens=[
            "Excuse me, how do I get to {spot}?",
            "Could you tell me the way to {spot}?",
            "I'm lost. I'm trying to find {spot}.",
        ],
        replies=[
            "Go straight and turn left at the lights.",
            "It's about ten minutes on foot. Go straight on.",
            "Take bus number {num}.",
        ],
        extras=[
            ("Is it on this side of the road?", "No, across the street."),
            ("Can I walk there?", "Yes, it's not far."),
            ("Is there a taxi stand nearby?", "Right around the corner."),
        ],
        closes=[("Thank you so much.", "You're welcome."), ("Thanks, I'll find it.", "Good luck.")],
        summaries=[
            "[On the street|Out in the city], #Person1# asks [a stranger|#Person2#] how to "
            "reach {spot}.",
            "#Person1# [can't find|is trying to find] {spot}, and #Person2# [helps|gives "
            "directions].",
            "#Person1# [needs|wants] to get to {spot}, so #Person1# asks #Person2#.",
            "#Person2# [helps #Person1# find|shows #Person1# the way to] {spot}.",
            "#Person1# asks #Person2# the way to {spot}.",
            "#Person2# gives #Person1# directions to {spot}.",
            "#Person1# is [lost|looking for {spot}] and #Person2# explains how to get there.",
        ],
        notes={
            "Go straight and turn left at the lights.": [
                "#Person2# [says|tells #Person1#] to go straight and turn left at the lights.",
            ],
            "It's about ten minutes on foot. Go straight on.": [
                "[It's|The walk is] about ten minutes on foot.",
            ],
            "Take bus number {num}.": [
                "#Person2# [suggests|tells #Person1# to take] bus number {num}."
            ],
            "Is it on this side of the road?": ["[It's|The place is] across the street."],
            "Can I walk there?": ["#Person1# can [walk|go on foot]."],
            "Is there a taxi stand nearby?": [
                "There's a taxi stand [around|right around] the corner."
            ],
        },
    ),
    dict(
        topic="work deadline",
        casual=True,
        slots={
            "task": [
                "the sales report",
                "the presentation",
                "the budget plan",
                "the project proposal",
                "the marketing plan",
                "the monthly report",
                "the client letter",
            ]
        },
        opens=[
            "Have you finished {task}? It's due on {day}.",
            "I need {task} on my desk by {day}.",
            "How is {task} going? The deadline is {day}.",
        ],
        replies=["I'm almost done.", "I need one more day.", "I'm sorry, I was sick yesterday."],
        extras=[
            ("Do you need any help?", "Maybe with the numbers."),
            ("The boss is asking about it.", "I know, I'm doing my best."),
            ("Can you send me a draft?", "I'll email it tonight."),
        ],
        closes=[("Okay, but no later than {day}.", "I promise."), ("Keep me updated.", "I will.")],
        summaries=[
            "{task} is due on {day}, #Person1# reminds #Person2#.",
            "#Person1# and #Person2# [talk about|discuss] the deadline for {task}.",
            "#Person1# asks #Person2# about {task}, which is due on {day}.",
            "#Person1# reminds #Person2# of the deadline for {task}[ on {day}|].",
            "#Person1# [checks on|asks about] {task}, due on {day}.",
        ],
        notes={
            "I'm almost done.": ["#Person2# is almost [done|finished]."],
            "I need one more day.": ["#Person2# [needs|asks for] one more day."],
            "I'm sorry, I was sick yesterday.": [
                "#Person2# [is late|is behind] because of being sick."
            ],
            "Do you need any help?": ["#Person1# [offers|can] help with the numbers."],
            "Can you send me a draft?": ["#Person2# will [email|send] a draft tonight."],
        },
    ),
    dict(
        topic="vacation leave",
        slots={"days": ["two days", "a week", "three days", "two weeks", "four days", "five days"]},
        opens=[
            "I'd like to take {days} off next month.",
            "Can I have {days} of leave next month?",
            "Would it be possible to take {days} off for my wedding?",
        ],
        replies=["When exactly?", "Let me check the schedule.", "Who will cover your work?"],
        answers={
            "When exactly?": ("From {day}.", "Let me check the schedule."),
            "Who will cover your work?": ("My colleague {name} can do it.", "Good."),
        },
        extras=[
            ("I have some holiday left.", "Yes, you have nine days left."),
            ("I'll finish my tasks before I go.", "Good."),
        ],
        closes=[
            ("Thank you so much.", "Enjoy your time off."),
            ("I'll fill in the form.", "Please do."),
        ],
        summaries=[
            "#Person2#, the boss, [hears|considers] #Person1#'s request for {days} off.",
            "#Person1# [requests|would like] time off: {days}.",
            "#Person1# [would like|hopes] to take {days} off work.",
            "#Person1# [talks to|asks] #Person2#, the boss, about {days} of leave.",
            "#Person1# asks #Person2# for {days} off.",
            "#Person1# wants to take {days} of leave[ from work|].",
            "#Person1# [asks for|requests] {days} of leave.",
        ],
        notes={
            "When exactly?": ["The leave [starts|would start] on {day}."],
            "Who will cover your work?": ["#Person1#'s colleague {name} will cover the work."],
            "I have some holiday left.": [
                "#Person1# has nine [days of holiday|holiday days] left."
            ],
            "I'll finish my tasks before I go.": [
                "#Person1# [will finish|promises to finish] the tasks before leaving.",
            ],
        },
    ),
    dict(
        topic="buying a phone",
        slots={
            "brand": [
                "a new smartphone",
                "a cheap phone",
                "the latest model",
                "a phone with a good camera",
                "a phone with a big screen",
                "a small phone",
                "a waterproof phone",
            ]
        },
        opens=[
            "I want to buy {brand}.",
            "What do you recommend? I'm looking for {brand}.",
            "I'm interested in {brand}.",
        ],
        replies=[
            "This one is very popular. It's {price} dollars.",
            "What's your budget?",
            "We have a few. This one is {price} dollars.",
        ],
        answers={"What's your budget?": ("About {price} dollars.", "Then this one is good.")},
        extras=[
            ("How long does the battery last?", "About two days."),
            ("Does it come with a charger?", "Yes, it does."),
            ("Is there a guarantee?", "Two years."),
        ],
        closes=[
            ("I'll take it.", "Good choice."),
            ("It's too expensive.", "We have cheaper ones too."),
        ],
        summaries=[
            "In the shop, #Person1# [looks at|asks about] {brand}.",
            "#Person2# [helps #Person1# with|shows #Person1#] {brand}.",
            "#Person1# wants to buy {brand}[, and #Person2# makes suggestions|].",
            "#Person2# helps #Person1# choose {brand}.",
            "#Person1# [looks for|asks about] {brand}.",
        ],
        notes={
            "This one is very popular. It's {price} dollars.": [
                "#Person2# [shows|recommends] a popular one for {price} dollars.",
            ],
            "What's your budget?": ["#Person1# [has a budget of|can spend] about {price} dollars."],
            "We have a few. This one is {price} dollars.": [
                "[One costs|#Person2# shows one for] {price} dollars."
            ],
            "How long does the battery last?": ["The battery lasts about two days[ on a charge|]."],
            "Does it come with a charger?": ["[It comes with a charger|A charger is included]."],
            "Is there a guarantee?": ["[#Person2# says there is|It has] a two-year guarantee."],
            "I'll take it.": ["#Person1# [buys|takes] it."],
            "It's too expensive.": ["#Person1# [thinks|finds] it's too expensive."],
        },
    ),
    dict(
        topic="neighbors",
        casual=True,
        slots={
            "issue": [
                "the loud music",
                "the dog barking",
                "the car in the parking space",
                "the garbage bags",
                "the broken fence",
                "the noise at night",
            ]
        },
        opens=[
            "Hi, I live next door. Can we talk about {issue}?",
            "Excuse me, I have a problem with {issue}.",
            "I'm sorry to say this, but {issue} is a problem.",
        ],
        replies=[
            "Oh, I'm sorry. I didn't know.",
            "I'll take care of it.",
            "Is it really that bad?",
        ],
        answers={"Is it really that bad?": ("It happens every night.", "I'll make sure it stops.")},
        extras=[
            ("I have to get up early.", "I understand."),
            ("My baby can't sleep.", "I'm so sorry."),
        ],
        closes=[
            ("Thanks for understanding.", "No problem, neighbor."),
            ("Have a good evening.", "You too."),
        ],
        summaries=[
            "#Person1#, who lives next door, [brings up|mentions] {issue} to #Person2#.",
            "There is a problem with {issue}, and #Person1# [raises|discusses] it with #Person2#.",
            "#Person1# [is bothered by|can't stand] {issue} and talks to #Person2#.",
            "#Person2# hears a complaint from #Person1# about {issue}.",
            "#Person1# complains to #Person2# about {issue}.",
            "#Person1# talks to the neighbor #Person2# about {issue}.",
            "#Person1#'s neighbor #Person2# [hears about|learns about] {issue}.",
        ],
        notes={
            "Oh, I'm sorry. I didn't know.": ["#Person2# didn't know and [apologizes|says sorry]."],
            "I'll take care of it.": ["#Person2# [promises|agrees] to take care of it."],
            "Is it really that bad?": [
                "It happens every night, and #Person2# promises it will stop.",
            ],
            "I have to get up early.": ["#Person1# has to get up early[ in the morning|]."],
            "My baby can't sleep.": ["#Person1#'s baby can't sleep[ because of it|]."],
        },
    ),
    dict(
        topic="learning a language",
        casual=True,
        slots={
            "lang": [
                "French",
                "Chinese",
                "Spanish",
                "German",
                "Japanese",
                "Italian",
                "Korean",
                "Russian",
                "Arabic",
            ]
        },
        opens=[
            "I've started learning {lang}.",
            "I'm learning {lang} at the moment.",
            "I want to learn {lang} this year.",
        ],
        replies=[
            "That's great. Is it hard?",
            "Practice every day with native speakers.",
            "There's a course at the community center.",
        ],
        answers={
            "That's great. Is it hard?": (
                "The grammar is difficult.",
                "Keep going, it gets easier.",
            )
        },
        extras=[
            ("I watch movies in {lang}.", "Good idea."),
            ("I have a class on {day} evenings.", "That's convenient."),
        ],
        closes=[
            ("Thanks for the advice.", "Good luck with your studies."),
            ("I'll keep trying.", "You can do it."),
        ],
        summaries=[
            "#Person1# [studies|is studying] {lang}, and #Person2# [encourages|gives tips "
            "to] #Person1#.",
            "#Person1# [wants|hopes] to speak {lang}.",
            "#Person1# is learning {lang}[ and #Person2# gives advice|].",
            "#Person1# and #Person2# talk about learning {lang}.",
            "#Person1# [tells|asks] #Person2# about learning {lang}.",
        ],
        notes={
            "That's great. Is it hard?": ["#Person1# finds the grammar [difficult|hard]."],
            "Practice every day with native speakers.": [
                "#Person2# [suggests|recommends] practicing every day with native speakers.",
            ],
            "There's a course at the community center.": [
                "#Person2# [mentions|suggests] a course at the community center.",
            ],
            "I watch movies in {lang}.": ["#Person1# [watches|learns from] movies in {lang}."],
            "I have a class on {day} evenings.": [
                "#Person1# [has|takes] a class on {day} evenings."
            ],
        },
    ),
    dict(
        topic="haircut",
        slots={
            "style": [
                "a short cut",
                "just a trim",
                "something modern",
                "the same style as before",
                "a bob",
                "shorter bangs",
                "a new color",
            ]
        },
        opens=[
            "I'd like {style}, please.",
            "Can I get {style} today?",
            "I want {style}. Do you have time now?",
        ],
        replies=["Sure, take a seat.", "How short do you want it?", "We're free in ten minutes."],
        answers={"How short do you want it?": ("Not too short on the sides.", "Got it.")},
        extras=[
            ("Can you wash it first?", "Yes, of course."),
            ("How much is it?", "{price} dollars."),
        ],
        closes=[("It looks great.", "Thank you, come again."), ("Perfect.", "See you next time.")],
        summaries=[
            "At the hairdresser's, #Person1# [wants|asks for] {style}.",
            "#Person2#, a hairdresser, gives #Person1# {style}.",
            "#Person1# gets {style} at the hairdresser's.",
            "#Person1# asks #Person2# for {style}.",
            "#Person1# [wants|asks for] {style}[, and #Person2# cuts it|].",
        ],
        notes={
            "How short do you want it?": [
                "#Person1# [wants|asks for] it not too short on the sides."
            ],
            "We're free in ten minutes.": ["#Person1# [waits|has to wait] ten minutes."],
            "Can you wash it first?": ["#Person2# [washes|will wash] #Person1#'s hair first."],
            "How much is it?": ["The haircut [costs|is] {price} dollars."],
            "It looks great.": ["#Person1# [likes|is happy with] the result."],
        },
    ),
    dict(
        topic="movie night",
        casual=True,
        slots={
            "film": [
                "a comedy",
                "the new action movie",
                "a horror film",
                "a romantic film",
                "a cartoon",
                "a documentary",
                "the new thriller",
                "a musical",
            ]
        },
        opens=[
            "Do you want to see {film} on {day}?",
            "There's {film} on at the cinema on {day}. Shall we go?",
            "Let's watch {film} together on {day}.",
        ],
        replies=[
            "Sounds good. What time?",
            "I'm not a big fan, but okay.",
            "Sure, I'll buy the tickets.",
        ],
        answers={
            "Sounds good. What time?": (
                "It starts at {time}.",
                "Let's meet fifteen minutes before.",
            )
        },
        extras=[
            ("Should we get popcorn?", "Of course."),
            ("I heard it's really good.", "Me too."),
        ],
        closes=[("See you there.", "Okay, bye."), ("It's a date.", "Great.")],
        summaries=[
            "On {day}, #Person1# and #Person2# [will see|are going to see] {film}.",
            "#Person2# [agrees|says yes] to see {film} with #Person1#.",
            "#Person1# invites #Person2# to see {film}.",
            "#Person1# and #Person2# plan to watch {film} on {day}.",
            "#Person1# and #Person2# [decide|agree] to go see {film}.",
        ],
        notes={
            "Sounds good. What time?": ["The [film|show] starts at {time}."],
            "I'm not a big fan, but okay.": ["#Person2# isn't a big fan but [agrees|comes along]."],
            "Sure, I'll buy the tickets.": ["#Person2# [will buy|offers to buy] the tickets."],
            "Should we get popcorn?": ["They [will get|plan to get] popcorn."],
        },
    ),
    dict(
        topic="train tickets",
        slots={
            "city": [
                "Boston",
                "Chicago",
                "Manchester",
                "Lyon",
                "Osaka",
                "Denver",
                "Leeds",
                "Nagoya",
                "Seattle",
                "Glasgow",
            ]
        },
        opens=[
            "One ticket to {city}, please.",
            "I'd like a ticket to {city} for the next train.",
            "I'd like a ticket to {city} for {day}.",
        ],
        replies=["Single or return?", "The next one leaves at {time}.", "That's {price} dollars."],
        answers={"Single or return?": ("Return, please.", "That's {price} dollars.")},
        extras=[
            ("Which platform?", "Platform {num}."),
            ("Is there a discount for students?", "Yes, twenty percent."),
            ("Do I need to change trains?", "No, it's direct."),
        ],
        closes=[("Thank you.", "Have a good trip."), ("Here's the money.", "Here's your ticket.")],
        summaries=[
            "#Person2# [helps|serves] #Person1#, who [wants|needs] a ticket to {city}.",
            "At the station, #Person1# [buys|gets] a ticket to {city}.",
            "#Person1# [is going|travels] to {city} by train.",
            "#Person1# buys a train ticket to {city}.",
            "#Person1# [asks #Person2# for|gets] a ticket to {city}.",
            "#Person2# sells #Person1# a ticket to {city}.",
        ],
        notes={
            "Single or return?": ["#Person1# [buys|takes] a return ticket for {price} dollars."],
            "The next one leaves at {time}.": ["The next train [leaves|goes] at {time}."],
            "That's {price} dollars.": ["The ticket [costs|is] {price} dollars."],
            "Which platform?": ["The train [leaves from|is on] platform {num}."],
            "Is there a discount for students?": [
                "Students get [twenty percent off|a discount of twenty percent]."
            ],
            "Do I need to change trains?": ["The train to {city} is direct[, with no change|]."],
        },
    ),
    dict(
        topic="cooking",
        casual=True,
        slots={
            "dish": [
                "spaghetti",
                "a chicken curry",
                "an apple pie",
                "fish soup",
                "dumplings",
                "pancakes",
                "a beef stew",
                "a lemon cake",
                "fried noodles",
            ]
        },
        opens=[
            "Can you teach me how to make {dish}?",
            "What do I need to cook {dish}?",
            "I'm making {dish} tonight, but I've never done it.",
        ],
        replies=[
            "It's easy. First, get fresh ingredients.",
            "You'll need about an hour.",
            "I'll give you my recipe.",
        ],
        extras=[
            ("How much salt?", "Just a little."),
            ("Can I use frozen vegetables?", "Fresh is better."),
            ("How long does it cook?", "About forty minutes."),
        ],
        closes=[("Thanks, I'll try it.", "Tell me how it goes."), ("Wish me luck.", "Good luck.")],
        summaries=[
            "#Person1# [wants|is trying] to cook {dish}, and #Person2# [helps|gives tips].",
            "{dish} is what #Person1# [wants to make|is cooking].",
            "#Person2# teaches #Person1# how to make {dish}.",
            "#Person1# asks #Person2# [for a recipe for|how to cook] {dish}.",
            "#Person1# and #Person2# talk about cooking {dish}.",
        ],
        notes={
            "It's easy. First, get fresh ingredients.": [
                "#Person2# [says|advises] to start with fresh ingredients.",
            ],
            "You'll need about an hour.": ["[It takes|Cooking it takes] about an hour."],
            "I'll give you my recipe.": ["#Person2# [gives|shares] a recipe."],
            "How much salt?": ["#Person2# [says|advises] to use just a little salt."],
            "Can I use frozen vegetables?": [
                "Fresh vegetables are better than frozen ones[, says #Person2#|]."
            ],
            "How long does it cook?": ["It [cooks|needs to cook] for about forty minutes."],
        },
    ),
]


def expand(template: str) -> list[str]:
    """Every reading of a template with ``[a|b]`` alternatives (``[a|]``: optional)."""
    m = re.search(r"\[([^\[\]]*)\]", template)
    if not m:
        return [template]
    out = []
    for alt in m.group(1).split("|"):
        out += expand(template[: m.start()] + alt + template[m.end() :])
    return out


for _fam in FAMILIES:
    _fam["summaries"] = [x for t in _fam["summaries"] for x in expand(t)]
    _fam["notes"] = {k: [x for t in v for x in expand(t)] for k, v in _fam["notes"].items()}
    _fam.setdefault("answers", {})


FOLLOW_UPS: dict[str, list[str]] = {
    "restaurant booking": [
        "can I bring a birthday cake to {place}?",
        "could you tell me the address of {place}?",
        "if we are more than {num}, should I call {place} again?",
        "what time does {place} open on {day}?",
        "can I change the booking at {place} later?",
    ],
    "shopping for clothes": [
        "can I return {item} if it doesn't fit?",
        "do you have something to go with {item}?",
        "is {item} easy to wash?",
        "will you have more of {item} in {size} next week?",
    ],
    "returning an item": [
        "do you need the box for {item}?",
        "will you send {item} back to the maker?",
        "should I fill in a form about {item}?",
        "will the {price} dollars be back on my card this week?",
    ],
    "doctor visit": [
        "can I do sport with {symptom}?",
        "is {symptom} contagious?",
        "should I see a specialist about {symptom}?",
        "what should I eat with {symptom}?",
        "can you write me a note for work? It got worse on {day}.",
    ],
    "job interview": [
        "how many people work at {company}?",
        "does the {job} job involve travel?",
        "is the {job} position full time?",
        "where exactly is the office of {company}?",
        "should I bring anything for the {job} interview on {day}?",
    ],
    "travel plans": [
        "do you know anyone in {city}?",
        "what should I see first in {city}?",
        "is the food in {city} good?",
        "can I borrow your suitcase for the trip to {city}?",
    ],
    "renting an apartment": [
        "is the {rooms} apartment furnished?",
        "can I see the {rooms} flat this week?",
        "is there a bus stop {area}?",
        "are there any shops {area}?",
    ],
    "school homework": [
        "do you have your {subject} notes from class?",
        "can you check my {subject} answers tomorrow?",
        "who else is good at {subject}?",
        "should we hand in the {subject} homework on paper?",
    ],
    "tech support": [
        "should I back up my {device} first?",
        "how much is a new {device}, if this one can't be fixed?",
        "is it normal that a {device} {fault}?",
        "can I still use the {device} until then?",
    ],
    "bank account": [
        "can I {task} online next time?",
        "do I need my passport to {task}?",
        "is there a form to {task}?",
        "can my wife also {task} here?",
    ],
    "moving house": [
        "could I borrow your car for the move to {place}?",
        "can you help me pack for {place} on {day}?",
        "you must visit us in {place}.",
        "I'll send you our new address when we are in {place}.",
    ],
    "birthday party": [
        "what time should I come to {who}'s party on {day}?",
        "can I bring a friend to {who}'s party?",
        "does {who} like chocolate cake?",
        "should I bring something to eat for {who}'s party?",
    ],
    "sports": [
        "should I bring my own {sport} shoes?",
        "where shall we play {sport} on {day}?",
        "can my brother play {sport} with us too?",
        "do you play {sport} every week?",
    ],
    "hotel check-in": [
        "does {hotel} have a restaurant?",
        "can I leave my bags at {hotel} after checkout?",
        "is there a gym at {hotel}?",
        "if I want to stay more than {num} nights, is that possible?",
    ],
    "lost luggage": [
        "there's a camera in {bag}, so please be careful with it.",
        "will you call me if {bag} is still in {city}?",
        "can I buy some clothes and get the money back while I wait for {bag}?",
        "has anyone else from the {city} flight lost a bag?",
        "what if {bag} never arrives?",
    ],
    "car repair": [
        "can you check the oil as well as {part}?",
        "will {part} need fixing again soon?",
        "can I pay for {part} by card?",
        "could you call me when {part} is done?",
    ],
    "weather": [
        "should we cancel the picnic if there's {weather}?",
        "do you think {weather} will close the schools?",
        "will {weather} last long?",
        "should we stay at home on {day} because of {weather}?",
    ],
    "library": [
        "can I renew {book} online?",
        "do you have another book like {book}?",
        "is there a quiet place to read {book} here?",
        "is there a second copy of {book}?",
    ],
    "post office": [
        "do I need to write my number on {parcel}?",
        "can I track {parcel} to {dest} online?",
        "how much is it to send {parcel} to {dest} by surface mail?",
        "is there a weight limit for {dest}?",
    ],
    "gym membership": [
        "can I pause {plan} if I travel?",
        "does {plan} include classes?",
        "can I bring a friend with {plan}?",
        "when can I start {plan}?",
    ],
    "ordering food": [
        "could I also get a drink with {dish}?",
        "please don't put onions on {dish}.",
        "is {dish} big enough to share?",
        "please ring the bell when you deliver {dish}.",
    ],
    "directions": [
        "is {spot} open today?",
        "is there a coffee shop near {spot}?",
        "do I need a ticket for {spot}?",
        "is {spot} far from the bus stop?",
    ],
    "work deadline": [
        "did you use last year's numbers for {task}?",
        "can we go through {task} together before {day}?",
        "who else is working on {task}?",
        "please print {task} for the meeting.",
    ],
    "vacation leave": [
        "who will do my work while I'm away for {days}?",
        "can I take {days} in summer too?",
        "should I tell the team I'll be away for {days}?",
        "is {days} the most I can take at once?",
    ],
    "buying a phone": [
        "can I get a case for {brand}?",
        "does {brand} have a good camera?",
        "can I pay for {brand} in monthly payments?",
        "is {brand} waterproof?",
    ],
    "neighbors": [
        "could we talk about {issue} again next week?",
        "should I tell the landlord about {issue}?",
        "I hope {issue} won't be a problem again.",
        "thanks again for listening about {issue}.",
    ],
    "learning a language": [
        "do you know a good {lang} tutor?",
        "can you recommend a {lang} book?",
        "do you speak any {lang}?",
        "shall we practise {lang} together some time?",
    ],
    "haircut": [
        "how often should I come for {style}?",
        "what shampoo should I use after {style}?",
        "can I book {style} again next month?",
        "do you think {style} suits me?",
    ],
    "movie night": [
        "who's in {film}?",
        "should I book the tickets for {film} online?",
        "how long is {film}?",
        "can my sister come to {film} too?",
        "what time does {film} start on {day}?",
    ],
    "train tickets": [
        "is there a coffee shop on the train to {city}?",
        "can I take my bike to {city}?",
        "is the train to {city} usually crowded?",
        "is there a train back from {city} tonight?",
    ],
    "cooking": [
        "can I make {dish} the day before?",
        "what do you drink with {dish}?",
        "can I freeze {dish}?",
        "how many people does {dish} feed?",
    ],
}
"""#Person1#'s next turn after the goodbye pair (the no-prompt target of a whole dialogue):
one more question or remark about a value the dialogue said, in lower case after its lead
(``FOLLOW_UP_LEADS``). Each family has one for the main value of every request."""
FOLLOW_UP_LEADS = {
    "?": [
        "Oh, sorry, I almost forgot to ask: ",
        "Wait, one more question before you go: ",
        "Sorry, I meant to ask you earlier: ",
        "Oh, before I forget, I wanted to ask: ",
        "Actually, there's something else I wanted to know: ",
    ],
    ".": [
        "Oh, before I forget: ",
        "Oh, and just one last thing: ",
        "Sorry, one more thing before you go: ",
    ],
}
"""Leads of a follow-up question ("?") and of a follow-up remark (".")."""
CHECK_BACKS = [
    "Just to be sure: {v}, right?",
    "Sorry, one more thing: was it {v}?",
    "Before you go: {v}, did you say?",
]
"""#Person2#'s next turn when #Person1# said the last line (no v3 dialogue ends so): a check of
a value the dialogue said."""

for _fam in FAMILIES:
    _fam["follow_ups"] = FOLLOW_UPS[_fam["topic"]]
